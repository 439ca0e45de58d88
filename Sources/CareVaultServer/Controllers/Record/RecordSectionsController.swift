import CareVaultCore
import CareVaultStore
import Foundation
import Hummingbird

/// The lists of the record's sections (medicines, allergies, problems, documents, imaging…), each filtered
/// by date, visit and words, paged, newest first. What the patient may not see yet is counted, never shown.
struct RecordSectionsController: Sendable {
    static let pageSize = 25
    /// Visits offered in the "Visit" filter: the newest, and the one chosen if it is older. (Each is read
    /// and parsed on every list page; a hundred made a Synthea record's lists half again as costly. Older
    /// visits are a click away on the visits page, with everything linked to them.)
    static let visitChoices = 30
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
        let (patient, basis) = try await PatientAccess(env: env).open(
            patientParameter, for: .readRecord, actor: context.actor, account: context.account, info: context.info,
            resource: ResourceRef(type: section.rawValue, id: "list"))
        let filters = RecordFilters(request)
        let now = Clock.milliseconds(Date())
        let scope = patient.id.description
        let page = filters.page
        // Sections patients report to (allergies, medicines, problems) list those reports apart.
        let reportKind = ReportedEntryKind.allCases.first { $0.section == section }
        let (stored, reported, visits, pending, reviews) = try await env.database.read { sql in
            let store = FHIRResourceRepository(sql)
            var query = filters.query(section: section, releasedBy: basis.releasedBy(now), limit: Self.pageSize + 1, offset: page * Self.pageSize)
            var reported: [StoredResource] = []
            if reportKind != nil {
                query.patientProvided = false
                var own = query
                (own.patientProvided, own.limit, own.offset) = (true, Self.pageSize, 0)
                reported = page == 0 ? try await store.search(patientScope: scope, own) : []
            }
            let stored = try await store.search(patientScope: scope, query)
            let visits = try await Self.loadVisitChoices(store, section: section, patientScope: scope, releasedBy: basis.releasedBy(now),
                                                         chosen: filters.visit)
            let pending = basis.seesUnreleased ? [] : try await RecordReleaseRepository(sql).pending(patientScope: scope, at: now)
            let contributed = (stored.prefix(Self.pageSize) + reported).filter { RecordOrigin(source: $0.source).isPatientProvided }
            var reviews: [String: ReviewItem] = [:]
            for (type, group) in Dictionary(grouping: contributed, by: \.resourceType) {
                reviews.merge(try await ReviewRepository(sql).items(resourceType: type, ids: group.map(\.id), patient: patient.id)) { a, _ in a }
            }
            return (stored, reported, visits, pending.filter { $0.section == section }, reviews)
        }
        let shown = Array(stored.prefix(Self.pageSize))
        try await env.audit.recordReads((shown + reported).map { ($0.resourceType, $0.id) }, patient: patient.id, actor: context.account,
                                        basis: basis, info: context.info)
        let base = Paths.recordSection(scope, section)
        let failure = filters.failure
        let row = { (resource: StoredResource) in
            let entry = (try? JSONParser.parse(resource.json)).map { RecordEntry(resourceType: resource.resourceType, id: resource.id, json: $0) }
            return RecordListPage.Row(
                date: entry?.date.map(PlainDate.day) ?? "", name: entry?.name ?? resource.resourceType, status: entry?.status ?? "",
                summary: entry?.details.first.map { "\($0.label): \($0.value)" } ?? "",
                link: Paths.recordItem(scope, type: resource.resourceType, id: resource.id),
                isNew: basis == .ownRecord && resource.openedAt == nil, isHeld: !resource.isReleased(at: now),
                hasAttachment: !(entry?.attachments.isEmpty ?? true),
                origin: RecordOrigin(source: resource.source).text(toPatient: basis == .ownRecord),
                review: reviews[resource.id].map { ReviewWords.status($0, zone: env.configuration.timeZone) },
                removeLink: reportKind.flatMap { kind in
                    basis == .ownRecord && RecordOrigin(source: resource.source).isPatientProvided && reviews[resource.id]?.status != .accepted
                        ? Paths.removeReported(scope, kind, resource.id) : nil
                })
        }
        let rows = shown.map(row)
        let reportedRows = reported.map(row)
        return env.renderer.response(RecordListPage(
            layout: context.layout(basis == .ownRecord ? "Your \(section.title.lowercased())" : "\(section.title) – \(patient.fullName)", request: request),
            patientName: patient.fullName, heading: section.title, explanation: section.explanation,
            errorSummary: ErrorSummary(failure), filterAction: base,
            from: FormField(name: "from", label: "From", type: "date", value: filters.from, error: failure?.error("from"), required: false),
            to: FormField(name: "to", label: "To", type: "date", value: filters.to, error: failure?.error("to"), required: false),
            query: FormField(name: "q", label: "Words to find", type: "search", value: filters.text, required: false),
            visit: Self.visitField(visits, selected: filters.visit, error: failure?.error("visit")),
            pending: pending.map { Self.note($0, zone: env.configuration.timeZone) }, rows: rows, isEmpty: rows.isEmpty, emptyText: section.emptyText,
            reportedRows: reportedRows, hasReported: !reportedRows.isEmpty,
            reportedHeading: basis == .ownRecord ? "What you told us" : "What the patient reported",
            reportLink: reportKind.flatMap { kind in
                AuthorizationPolicy.decide(context.actor, .contributeToRecord, patient: patient.scope).isPermitted
                    ? Link(href: Paths.reportEntry(scope, kind), text: kind.heading) : nil
            },
            backLink: Paths.patientHome(scope),
            previousPageLink: page > 0 ? filters.link(base, page: page - 1) : nil,
            nextPageLink: stored.count > Self.pageSize ? filters.link(base, page: page + 1) : nil),
            status: failure == nil ? .ok : .badRequest)
    }

    /// The visits a list's "Visit" filter offers: the newest 30 this reader may see that have items in
    /// the list's section (no choice leads to an empty list), and the one chosen if it is not among them
    /// (the visits page links to lists filtered by any visit), when it is this patient's.
    static func loadVisitChoices(_ store: FHIRResourceRepository, section: RecordSection, patientScope scope: String, releasedBy: Int64?,
                                 chosen: String) async throws -> [StoredResource] {
        var visits = try await store.visits(having: section, patientScope: scope, releasedBy: releasedBy, limit: Self.visitChoices)
        if !chosen.isEmpty, !visits.contains(where: { $0.id == chosen }),
           let visit = try await store.find(type: "Encounter", id: chosen),
           visit.patientScope == scope, releasedBy.map(visit.isReleased(at:)) ?? true {
            visits.append(visit)
        }
        return visits
    }

    /// The "Visit" filter: any visit, or one of the newest visits by date and kind.
    static func visitField(_ encounters: [StoredResource], selected: String, error: String?) -> SelectField {
        let visits = encounters.compactMap { r in (try? JSONParser.parse(r.json)).flatMap { Visit(id: r.id, json: $0) } }
        return SelectField(name: "visit", label: "Visit", options: [SelectField.Option(value: "", text: "Any visit", selected: selected.isEmpty)]
            + visits.map { v in
                SelectField.Option(value: v.id, text: [v.start.map(PlainDate.day), v.kind].compactMap { $0 }.joined(separator: " – "),
                                   selected: v.id == selected)
            }, error: error)
    }

    /// "3 items are waiting…", without saying what they are.
    static func note(_ pending: RecordReleaseRepository.Pending, zone: TimeZone) -> PendingNote {
        let items = pending.count == 1 ? "1 new item is" : "\(pending.count) new items are"
        if pending.awaitingReview == pending.count {
            return PendingNote(text: "\(items) waiting for your care team to review. You will see \(pending.count == 1 ? "it" : "them") here once released.")
        }
        let when = pending.nextRelease.map { PlainDate.instant(Clock.date($0), in: zone) } ?? "soon"
        return PendingNote(text: "\(items) not shown yet. The next will appear here on \(when).")
    }
}
