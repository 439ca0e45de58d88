import CareVaultCore
import CareVaultStore
import Foundation
import Hummingbird

/// The lists of the record's sections (medicines, allergies, problems, documents, imaging…), each filtered
/// by date, visit and words, paged, newest first. What the patient may not see yet is counted, never shown.
struct RecordSectionsController: Sendable {
    static let pageSize = 25
    let env: AppEnvironment

    func addRoutes(to router: Router<AppRequestContext>) {
        let group = router.group(context: SignedInRequestContext.self)
        group.get("/patients/:patient/records/:section", use: list)
    }

    @Sendable func list(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        guard let section = RecordSection(rawValue: try context.parameters.require("section")) else { throw HTTPError(.notFound) }
        let patientParameter = try context.parameters.require("patient")
        if section == .labs {
            // Lab results have their own page (ranges, flags, trends); keep any filters.
            return Response(status: .seeOther, headers: [.location: Paths.labResults(patientParameter) + (request.uri.query.map { "?" + $0 } ?? "")])
        }
        let record = try await env.records.open(patientParameter, for: .readRecord, context: context,
                                                target: ResourceRef(type: section.rawValue, id: "list"))
        let (patient, scope, now) = (record.patient, record.scope, record.now)
        let filters = RecordFilters(request)
        let page = filters.page
        // Sections patients report to (allergies, medicines, problems) list those reports apart.
        let reportKind = ReportedEntryKind.allCases.first { $0.section == section }
        let (stored, reported, visits, pending, reviews, proxyNames) = try await record.read { r in
            var query = filters.query(r, section: section, limit: Self.pageSize + 1, offset: page * Self.pageSize)
            var reported: [StoredResource] = []
            if reportKind != nil {
                query.patientProvided = false
                var own = query
                (own.patientProvided, own.limit, own.offset) = (true, Self.pageSize, 0)
                reported = page == 0 ? try await r.search(own) : []
            }
            let stored = try await r.search(query)
            let visits = try await r.visitChoices(section: section, chosen: filters.visit, limit: VisitChoiceField.limit)
            let pending = try await r.pending(at: now)
            let contributed = (stored.prefix(Self.pageSize) + reported).filter { RecordOrigin(source: $0.source).isPatientProvided }
            var reviews: [String: ReviewItem] = [:]
            for (type, group) in Dictionary(grouping: contributed, by: \.resourceType) {
                reviews.merge(try await r.reviews(resourceType: type, ids: group.map(\.id))) { a, _ in a }
            }
            let names = contributed.contains { RecordOrigin(source: $0.source).proxyAccount != nil } ? try await r.proxyNames() : [:]
            return (stored, reported, visits, pending.filter { $0.section == section }, reviews, names)
        }
        let shown = Array(stored.prefix(Self.pageSize))
        record.shown(shown + reported)
        let base = Paths.recordSection(scope, section)
        let failure = filters.failure
        let row = { (resource: StoredResource) in
            let entry = (try? JSONParser.parse(resource.json)).map { RecordEntry(resourceType: resource.resourceType, id: resource.id, json: $0) }
            return RecordListPage.Row(
                date: entry?.date.map(PlainDate.day) ?? "", name: entry?.name ?? resource.resourceType, status: entry?.status ?? "",
                summary: entry?.details.first.map { "\($0.label): \($0.value)" } ?? "",
                link: Paths.recordItem(scope, type: resource.resourceType, id: resource.id),
                isNew: record.isOwn && resource.openedAt == nil, isHeld: !resource.isReleased(at: now),
                hasAttachment: !(entry?.attachments.isEmpty ?? true),
                origin: RecordOrigin(source: resource.source).text(toPatient: record.isOwn, patientName: record.patient.fullName, proxyNames: proxyNames),
                review: reviews[resource.id].map { ReviewWords.status($0, zone: env.configuration.timeZone) },
                removeLink: reportKind.flatMap { kind in
                    record.isOwn && RecordOrigin(source: resource.source).isPatientProvided && reviews[resource.id]?.status != .accepted
                        ? Paths.removeReported(scope, kind, resource.id) : nil
                })
        }
        let rows = shown.map(row)
        let reportedRows = reported.map(row)
        return env.renderer.response(RecordListPage(
            layout: context.layout(record.isOwn ? "Your \(section.title.lowercased())" : "\(section.title) – \(patient.fullName)", request: request),
            patientName: patient.fullName, heading: section.title, explanation: section.explanation,
            errorSummary: ErrorSummary(failure), filterAction: base,
            from: FormField(name: "from", label: "From", type: "date", value: filters.from, error: failure?.error("from"), required: false),
            to: FormField(name: "to", label: "To", type: "date", value: filters.to, error: failure?.error("to"), required: false),
            query: FormField(name: "q", label: "Words to find", type: "search", value: filters.text, required: false),
            visit: VisitChoiceField.make(visits, selected: filters.visit, error: failure?.error("visit")),
            pending: pending.map { PendingWords.note($0, zone: env.configuration.timeZone) }, rows: rows, isEmpty: rows.isEmpty, emptyText: section.emptyText,
            reportedRows: reportedRows, hasReported: !reportedRows.isEmpty,
            reportedHeading: record.isOwn ? "What you told us" : "What the patient reported",
            reportLink: reportKind.flatMap { kind in
                record.allows(.contributeToRecord)
                    ? Link(href: Paths.reportEntry(scope, kind), text: kind.heading) : nil
            },
            backLink: Paths.patientHome(scope),
            previousPageLink: page > 0 ? filters.link(base, page: page - 1) : nil,
            nextPageLink: stored.count > Self.pageSize ? filters.link(base, page: page + 1) : nil),
            status: failure == nil ? .ok : .badRequest)
    }
}
