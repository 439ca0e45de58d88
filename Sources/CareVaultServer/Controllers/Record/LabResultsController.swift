import CareVaultCore
import CareVaultStore
import Foundation
import Hummingbird

/// The patient's record pages. Each resource shown is a policy-checked, audited read.
struct LabResultsController: Sendable {
    static let pageSize = 25
    static let csvLimit = 5000
    let env: AppEnvironment

    func addRoutes(to router: Router<AppRequestContext>) {
        let group = router.group(context: SignedInRequestContext.self)
        group.get("/patients/:patient/results", use: labResults)
        group.get("/patients/:patient/results.csv", use: labResultsCSV)
        group.get("/patients/:patient/results.pdf", use: labResultsPDF)
        group.get("/patients/:patient/results/trend", use: labTrend)
    }

    static let trendLimit = 200

    /// One test's history (by `code=system|code`), as a chart and a table; the newest 200 values.
    @Sendable func labTrend(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        let raw = request.uri.queryParameters["code"].map(String.init) ?? ""
        let parts = raw.split(separator: "|", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2, !parts[1].isEmpty, raw.count <= 300 else {
            throw HTTPError(.badRequest, message: "Choose a test from your results to see its history.")
        }
        let (patient, basis) = try await PatientAccess(env: env).open(
            try context.parameters.require("patient"), for: .readRecord, actor: context.actor, account: context.account, info: context.info,
            resource: ResourceRef(type: "Observation", id: "trend"))
        let stored = try await env.database.read {
            try await FHIRResourceRepository($0).search(patientScope: patient.id.description, RecordQuery(
                resourceType: "Observation", codeSystem: parts[0], code: parts[1], releasedBy: basis.releasedBy(Clock.milliseconds(Date())),
                limit: Self.trendLimit))
        }
        let results = stored.compactMap { resource in (try? JSONParser.parse(resource.json)).flatMap { LabResult(id: resource.id, json: $0) } }
        guard let latest = results.first else { throw HTTPError(.notFound) }
        try await env.audit.recordReads(results.map { ("Observation", $0.id) }, patient: patient.id, actor: context.account,
                                        basis: basis, info: context.info)
        let points = results.compactMap { r -> TrendChart.Point? in
            guard let value = r.numericValue, let time = r.effective.flatMap(FHIRInstant.range)?.lowerBound else { return nil }
            // The table's flag decides the dot too, so the two never disagree (a lab may call a value
            // just outside its printed range normal).
            return TrendChart.Point(time: time, value: value, flagged: r.flag == .unknown ? nil : r.flag != .normal,
                                    day: r.effective.map(PlainDate.day))
        }
        let chart = TrendChart(title: "\(latest.name) over time", unit: UnitWords.readable(latest.unit), points: points,
                               normalLow: latest.normalLow, normalHigh: latest.normalHigh)
        return env.renderer.response(LabTrendPage(
            layout: context.layout(latest.name, request: request), test: latest.name, recordName: latest.test == latest.name ? nil : latest.test,
            patientName: patient.fullName,
            chartSVG: chart.svg(), hasNormalRange: latest.normalLow != nil || latest.normalHigh != nil, rows: results.map { LabResultsPage.Row($0) }, backLink: Paths.labResults(patient.id.description)))
    }

    /// What one request for results read: the patient, the results shown, and (for the page) what its
    /// filters and notes need.
    private struct Loaded {
        let patient: Patient
        let basis: Basis
        let filters: RecordFilters
        let results: [LabResult]
        let hasMore: Bool
        /// Results the patient has not opened before this request.
        let unopened: Set<String>
        /// Results not yet released to the patient (only readers who see unreleased items get any).
        let held: Set<String>
        var visits: [StoredResource] = []
        var pending: [RecordReleaseRepository.Pending] = []
    }

    private func results(_ request: Request, context: SignedInRequestContext, action: Action, limit: Int, offset: Int,
                         forPage: Bool = false) async throws -> Loaded {
        let (patient, basis) = try await PatientAccess(env: env).open(
            try context.parameters.require("patient"), for: action, actor: context.actor, account: context.account, info: context.info,
            resource: ResourceRef(type: "Observation", id: "laboratory"))
        let filters = RecordFilters(request)
        let now = Clock.milliseconds(Date())
        let scope = patient.id.description
        let (stored, visits, pending) = try await env.database.read { sql in
            let store = FHIRResourceRepository(sql)
            let stored = try await store.search(patientScope: scope, filters.query(
                type: "Observation", category: "laboratory", releasedBy: basis.releasedBy(now), limit: limit + 1, offset: offset))
            guard forPage else { return (stored, [StoredResource](), [RecordReleaseRepository.Pending]()) }
            let visits = try await RecordSectionsController.loadVisitChoices(store, section: .labs, patientScope: scope,
                                                                               releasedBy: basis.releasedBy(now), chosen: filters.visit)
            let pending = basis.seesUnreleased ? [] : try await RecordReleaseRepository(sql).pending(patientScope: scope, at: now)
            return (stored, visits, pending.filter { $0.section == .labs })
        }
        let shown = stored.prefix(limit)
        let results = shown.compactMap { resource in
            (try? JSONParser.parse(resource.json)).flatMap { LabResult(id: resource.id, json: $0) }
        }
        try await env.audit.recordReads(results.map { ("Observation", $0.id) }, patient: patient.id, actor: context.account,
                                        basis: basis, info: context.info, action: action == .downloadRecord ? .recordDownloaded : .recordRead)
        return Loaded(patient: patient, basis: basis, filters: filters, results: Array(results), hasMore: stored.count > limit,
                      unopened: Set(shown.filter { $0.openedAt == nil }.map(\.id)),
                      held: Set(shown.filter { !$0.isReleased(at: now) }.map(\.id)), visits: visits, pending: pending)
    }

    @Sendable func labResults(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        let page = Paging.page(of: request)
        let loaded = try await results(request, context: context, action: .readRecord, limit: Self.pageSize, offset: page * Self.pageSize,
                                       forPage: true)
        let (patient, basis, filters) = (loaded.patient, loaded.basis, loaded.filters)
        if basis == .ownRecord && !loaded.unopened.isEmpty {
            // The table shows each result whole, so the patient has seen them: they are no longer new
            // (this once, the table still marks them New).
            try await env.database.write {
                try await RecordReleaseRepository($0).markOpened(loaded.unopened.sorted().map { ("Observation", $0) },
                                                                 patientScope: patient.id.description, at: Clock.milliseconds(Date()))
            }
        }
        let base = Paths.labResults(patient.id.description)
        let failure = filters.failure
        let rows = loaded.results.map {
            LabResultsPage.Row($0, patient: patient.id, isNew: basis == .ownRecord && loaded.unopened.contains($0.id),
                               isHeld: loaded.held.contains($0.id))
        }
        let page_ = LabResultsPage(
            layout: context.layout(basis == .ownRecord ? "Your test results" : "Test results – \(patient.fullName)", request: request),
            patientName: patient.fullName, pending: loaded.pending.map { RecordSectionsController.note($0, zone: env.configuration.timeZone) },
            errorSummary: ErrorSummary(failure), filterAction: base,
            from: FormField(name: "from", label: "From", type: "date", value: filters.from, error: failure?.error("from"), required: false),
            to: FormField(name: "to", label: "To", type: "date", value: filters.to, error: failure?.error("to"), required: false),
            visit: RecordSectionsController.visitField(loaded.visits, selected: filters.visit, error: failure?.error("visit")),
            query: FormField(name: "q", label: "Test name", type: "search", value: filters.text, hint: "for example cholesterol", required: false),
            rows: rows, isEmpty: rows.isEmpty, csvLink: filters.link(Paths.labResultsCSV(patient.id.description)),
            pdfLink: filters.link(Paths.labResultsPDF(patient.id.description)),
            backLink: Paths.patientHome(patient.id.description),
            previousPageLink: page > 0 ? filters.link(base, page: page - 1) : nil,
            nextPageLink: loaded.hasMore ? filters.link(base, page: page + 1) : nil)
        return env.renderer.response(page_, status: failure == nil ? .ok : .badRequest)
    }

    /// The same results as the page shows (same filters, all pages up to 5,000 rows) as a PDF report.
    @Sendable func labResultsPDF(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        let loaded = try await results(request, context: context, action: .downloadRecord, limit: Self.csvLimit, offset: 0)
        let (patient, filters, results) = (loaded.patient, loaded.filters, loaded.results)
        if let failure = filters.failure { throw HTTPError(.badRequest, message: failure.errors.map(\.message).joined(separator: " ")) }
        let shown = [filters.from.isEmpty ? nil : "from \(filters.from)", filters.to.isEmpty ? nil : "to \(filters.to)",
                     filters.text.isEmpty ? nil : "matching \u{201C}\(filters.text)\u{201D}"].compactMap { $0 }.joined(separator: ", ")
        let pdf = try RecordPrintouts.labReport(patient: patient, results: results, filters: shown, printed: Date(), zone: env.configuration.timeZone)
        return PDFResponse.make(pdf, fileName: "lab-results.pdf")
    }

    /// The same results as the page shows (same filters, all pages up to 5,000 rows) as CSV.
    @Sendable func labResultsCSV(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        let loaded = try await results(request, context: context, action: .downloadRecord, limit: Self.csvLimit, offset: 0)
        if let failure = loaded.filters.failure { throw HTTPError(.badRequest, message: failure.errors.map(\.message).joined(separator: " ")) }
        let csv = CSV.labResults(loaded.results)
        return Response(status: .ok, headers: [
            .contentType: "text/csv; charset=utf-8",
            .contentDisposition: "attachment; filename=\"lab-results.csv\"",
        ], body: .init(byteBuffer: ByteBuffer(string: csv)))
    }
}

/// RFC 4180 fields, with spreadsheet formula injection defused.
enum CSV {
    /// Lab results, one row per result: date, test, code (system|code), value, unit, range, flag.
    static func labResults(_ results: [LabResult]) -> String {
        var csv = "date,test,code,value,unit,range,flag\r\n"
        for r in results {
            csv += [r.effective ?? "", r.test, [r.codeSystem, r.code].compactMap { $0 }.joined(separator: "|"), r.value, r.unit, r.range, r.flag.rawValue]
                .map(field).joined(separator: ",") + "\r\n"
        }
        return csv
    }

    static func field(_ text: String) -> String { CSVTable.field(text) }
}
