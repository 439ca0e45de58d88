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

    private func open(_ context: SignedInRequestContext, resource: ResourceRef) async throws -> (Patient, Basis) {
        try await PatientAccess(env: env).open(try context.parameters.require("patient"), for: .readRecord, actor: context.actor,
                                              account: context.account, info: context.info, resource: resource)
    }

    @Sendable func list(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        let (patient, basis) = try await open(context, resource: ResourceRef(type: "Encounter", id: "list"))
        let filters = RecordFilters(request)
        let page = filters.page
        let stored = try await env.database.read {
            try await FHIRResourceRepository($0).search(patientScope: patient.id.description, filters.query(
                type: "Encounter", releasedBy: basis.releasedBy(Clock.milliseconds(Date())), limit: Self.pageSize + 1, offset: page * Self.pageSize))
        }
        let visits = stored.prefix(Self.pageSize).compactMap { r in (try? JSONParser.parse(r.json)).flatMap { Visit(id: r.id, json: $0) } }
        try await env.audit.recordReads(visits.map { ("Encounter", $0.id) }, patient: patient.id, actor: context.account, basis: basis, info: context.info)
        let base = Paths.visits(patient.id.description)
        let failure = filters.failure
        return env.renderer.response(VisitsPage(
            layout: context.layout(basis == .ownRecord ? "Your visits" : "Visits – \(patient.fullName)", request: request),
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

    /// The visit and what is linked to it that this basis may see, audited as `audit`.
    private func load(_ context: SignedInRequestContext, action: Action, audit: AuditAction)
        async throws -> (Patient, Basis, Visit, [StoredResource]) {
        let visitID = try context.parameters.require("visit")
        let (patient, basis) = try await PatientAccess(env: env).open(
            try context.parameters.require("patient"), for: action, actor: context.actor, account: context.account, info: context.info,
            resource: ResourceRef(type: "Encounter", id: visitID))
        let scope = patient.id.description
        let (encounter, allLinked) = try await env.database.read { sql in
            let store = FHIRResourceRepository(sql)
            let encounter = try await store.find(type: "Encounter", id: visitID)
            // An encounter of another patient's record is as absent as one that does not exist.
            guard let encounter, encounter.patientScope == scope else { return (nil as StoredResource?, [StoredResource]()) }
            return (encounter, try await store.linked(patientScope: scope, encounterReference: "Encounter/\(visitID)"))
        }
        let now = Clock.milliseconds(Date())
        // Held items stay out of the patient's view of the visit as of every list.
        let linked = basis.seesUnreleased ? allLinked : allLinked.filter { $0.isReleased(at: now) }
        guard let encounter, let visit = (try? JSONParser.parse(encounter.json)).flatMap({ Visit(id: visitID, json: $0) }) else {
            throw HTTPError(.notFound)
        }
        try await env.audit.recordReads([("Encounter", visitID)] + linked.map { ($0.resourceType, $0.id) }, patient: patient.id,
                                        actor: context.account, basis: basis, info: context.info, action: audit)
        return (patient, basis, visit, linked)
    }

    /// The visit summary as a PDF: the visit, its tests, and everything else recorded in it.
    @Sendable func summaryPDF(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        let (patient, _, visit, linked) = try await load(context, action: .downloadRecord, audit: .recordDownloaded)
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
        let (patient, _, visit, linked) = try await load(context, action: .readRecord, audit: .recordRead)
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
                         text: "Download \(a.title ?? "file \(a.index + 1)") (\(RecordItemController.kindName(a.servedContentType)))")
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
