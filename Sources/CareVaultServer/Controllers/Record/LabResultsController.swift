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
        let record = try await env.records.open(try context.parameters.require("patient"), for: .readRecord, context: context,
                                                target: ResourceRef(type: "Observation", id: "trend"))
        let patient = record.patient
        let stored = try await record.read { r in
            try await r.search(r.query(resourceType: "Observation", codeSystem: parts[0], code: parts[1], limit: Self.trendLimit))
        }
        let results = stored.compactMap { resource in (try? JSONParser.parse(resource.json)).flatMap { LabResult(id: resource.id, json: $0) } }
        guard let latest = results.first else { throw HTTPError(.notFound) }
        record.shown(results.map { ("Observation", $0.id) })
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
        let record: PatientRecord
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
        let record = try await env.records.open(try context.parameters.require("patient"), for: action, context: context,
                                                target: ResourceRef(type: "Observation", id: "laboratory"))
        let filters = RecordFilters(request)
        let now = record.now
        let (stored, visits, pending) = try await record.read { r in
            let stored = try await r.search(filters.query(r, type: "Observation", category: "laboratory", limit: limit + 1, offset: offset))
            guard forPage else { return (stored, [StoredResource](), [RecordReleaseRepository.Pending]()) }
            let visits = try await r.visitChoices(section: .labs, chosen: filters.visit, limit: VisitChoiceField.limit)
            return (stored, visits, try await r.pending(at: now).filter { $0.section == .labs })
        }
        let shown = stored.prefix(limit)
        let results = shown.compactMap { resource in
            (try? JSONParser.parse(resource.json)).flatMap { LabResult(id: resource.id, json: $0) }
        }
        record.shown(results.map { ("Observation", $0.id) })
        return Loaded(record: record, filters: filters, results: Array(results), hasMore: stored.count > limit,
                      unopened: Set(shown.filter { $0.openedAt == nil }.map(\.id)),
                      held: Set(shown.filter { !$0.isReleased(at: now) }.map(\.id)), visits: visits, pending: pending)
    }

    @Sendable func labResults(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        let page = Paging.page(of: request)
        let loaded = try await results(request, context: context, action: .readRecord, limit: Self.pageSize, offset: page * Self.pageSize,
                                       forPage: true)
        let (record, filters) = (loaded.record, loaded.filters)
        let patient = record.patient
        // The table shows each result whole, so the patient has seen them: they are no longer new
        // (this once, the table still marks them New).
        try await record.markOpened(loaded.unopened.sorted().map { ("Observation", $0) })
        let base = Paths.labResults(patient.id.description)
        let failure = filters.failure
        let rows = loaded.results.map {
            LabResultsPage.Row($0, patient: patient.id, isNew: record.isOwn && loaded.unopened.contains($0.id),
                               isHeld: loaded.held.contains($0.id))
        }
        let page_ = LabResultsPage(
            layout: context.layout(record.isOwn ? "Your test results" : "Test results – \(patient.fullName)", request: request),
            patientName: patient.fullName, pending: loaded.pending.map { PendingWords.note($0, zone: env.configuration.timeZone) },
            errorSummary: ErrorSummary(failure), filterAction: base,
            from: FormField(name: "from", label: "From", type: "date", value: filters.from, error: failure?.error("from"), required: false),
            to: FormField(name: "to", label: "To", type: "date", value: filters.to, error: failure?.error("to"), required: false),
            visit: VisitChoiceField.make(loaded.visits, selected: filters.visit, error: failure?.error("visit")),
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
        let (patient, filters, results) = (loaded.record.patient, loaded.filters, loaded.results)
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
