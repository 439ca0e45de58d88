import CareVaultCore
import CareVaultStore
import Foundation
import Hummingbird

/// A patient's visits, and each visit with everything recorded in it. Policy-checked and audited.
struct VisitsController: Sendable {
    static let pageSize = 25
    let env: AppEnvironment

    func addRoutes(to router: Router<AppRequestContext>) {
        let group = router.group(context: SignedInRequestContext.self)
        group.get("/patients/:patient/visits", use: list)
        group.get("/patients/:patient/visits/:visit", use: show)
        group.get("/patients/:patient/visits/:visit/summary.pdf", use: summaryPDF)
    }

    @Sendable func list(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        let record = try await env.records.open(try context.parameters.require("patient"), for: .readRecord, context: context,
                                                target: ResourceRef(type: "Encounter", id: "list"))
        let patient = record.patient
        let filters = RecordFilters(request)
        let page = filters.page
        let stored = try await record.read { r in
            try await r.search(filters.query(r, type: "Encounter", limit: Self.pageSize + 1, offset: page * Self.pageSize))
        }
        let visits = stored.prefix(Self.pageSize).compactMap { r in (try? JSONParser.parse(r.json)).flatMap { Visit(id: r.id, json: $0) } }
        record.shown(visits.map { ("Encounter", $0.id) })
        let base = Paths.visits(patient.id.description)
        let failure = filters.failure
        return env.renderer.response(VisitsPage(
            layout: context.layout(record.isOwn ? "Your visits" : "Visits – \(patient.fullName)", request: request),
            patientName: patient.fullName, errorSummary: ErrorSummary(failure), filterAction: base,
            from: FormField(name: "from", label: "From", type: "date", value: filters.from, error: failure?.error("from"), required: false),
            to: FormField(name: "to", label: "To", type: "date", value: filters.to, error: failure?.error("to"), required: false),
            query: FormField(name: "q", label: "Kind of visit", type: "search", value: filters.text, hint: "for example check-up", required: false),
            rows: visits.map { v in
                VisitsPage.Row(date: v.start.map(PlainDate.day) ?? "", kind: v.kind, reason: v.reason ?? "",
                               place: v.place ?? "", link: Paths.visit(patient.id.description, v.id))
            },
            isEmpty: visits.isEmpty, backLink: Paths.patientHome(patient.id.description),
            previousPageLink: page > 0 ? filters.link(base, page: page - 1) : nil,
            nextPageLink: stored.count > Self.pageSize ? filters.link(base, page: page + 1) : nil),
            status: failure == nil ? .ok : .badRequest)
    }

    /// The visit and what is linked to it that this reader may see.
    private func load(_ context: SignedInRequestContext, action: Action) async throws -> (Patient, Visit, [StoredResource]) {
        let visitID = try context.parameters.require("visit")
        let record = try await env.records.open(try context.parameters.require("patient"), for: action, context: context,
                                                target: ResourceRef(type: "Encounter", id: visitID))
        // An encounter of another patient's record, or one this reader may not see, is as absent as one that does not exist.
        let (encounter, linked) = try await record.read { r -> (StoredResource?, [StoredResource]) in
            guard let encounter = try await r.item(type: "Encounter", id: visitID) else { return (nil, []) }
            return (encounter, try await r.linked(to: "Encounter/\(visitID)"))
        }
        guard let encounter, let visit = (try? JSONParser.parse(encounter.json)).flatMap({ Visit(id: visitID, json: $0) }) else {
            throw HTTPError(.notFound)
        }
        record.shown([encounter] + linked)
        return (record.patient, visit, linked)
    }

    /// The visit summary as a PDF: the visit, its tests, and everything else recorded in it.
    @Sendable func summaryPDF(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        let (patient, visit, linked) = try await load(context, action: .downloadRecord)
        var results: [LabResult] = []
        var entries: [RecordEntry] = []
        for resource in linked {
            guard let json = try? JSONParser.parse(resource.json) else { continue }
            if resource.resourceType == "Observation", let result = LabResult(id: resource.id, json: json), !result.value.isEmpty {
                results.append(result)
            } else if resource.resourceType != "Provenance" {
                entries.append(RecordEntry(resourceType: resource.resourceType, id: resource.id, json: json))
            }
        }
        let pdf = try RecordPrintouts.visitSummary(patient: patient, visit: visit, results: results, entries: entries, printed: Date(), zone: env.configuration.timeZone)
        return PDFResponse.make(pdf, fileName: "visit-summary-\(visit.start.map { String($0.prefix(10)) } ?? "undated").pdf")
    }

    @Sendable func show(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        let (patient, visit, linked) = try await load(context, action: .readRecord)
        let scope = patient.id.description
        let visitID = visit.id
        var labs: [LabResultsPage.Row] = []
        var items: [VisitPage.Item] = []
        var documents: [VisitPage.Document] = []
        for resource in linked {
            guard let json = try? JSONParser.parse(resource.json) else { continue }
            let link = resource.section.map { _ in Paths.recordItem(scope, type: resource.resourceType, id: resource.id) }
            if resource.resourceType == "Observation", let result = LabResult(id: resource.id, json: json), !result.value.isEmpty {
                labs.append(LabResultsPage.Row(result, patient: patient.id))
                continue
            }
            let entry = RecordEntry(resourceType: resource.resourceType, id: resource.id, json: json)
            let date = entry.date.map(PlainDate.day) ?? ""
            if let link, !entry.attachments.isEmpty {
                documents.append(VisitPage.Document(name: entry.name, date: date, link: link, files: entry.attachments.map { a in
                    Link(href: Paths.attachment(scope, type: resource.resourceType, id: resource.id, index: a.index),
                         text: "Download \(a.title ?? "file \(a.index + 1)") (\(FileWords.kindName(a.servedContentType)))")
                }))
            } else {
                let item = RecordItem(resourceType: resource.resourceType, id: resource.id, json: json)
                items.append(VisitPage.Item(kind: item.kind, name: entry.name, date: date, link: link))
            }
        }
        return env.renderer.response(VisitPage(
            layout: context.layout(visit.kind, request: request), patientName: patient.fullName, kind: visit.kind,
            date: visit.start.map(PlainDate.day) ?? "Not recorded", endDate: visit.end.map(PlainDate.day) ?? "Not recorded",
            reason: visit.reason ?? "Not recorded", place: visit.place ?? "Not recorded",
            documents: documents, hasDocuments: !documents.isEmpty, labRows: labs, hasLabs: !labs.isEmpty, items: items, hasItems: !items.isEmpty, backLink: Paths.visits(scope),
            summaryPDFLink: Paths.visitSummaryPDF(scope, visitID)))
    }
}
