import CareVaultCore
import CareVaultStore
import Foundation
import Hummingbird
import NIOCore

/// Readings from a CSV file: the file is checked and previewed (every refused row with its reasons)
/// before anything is stored. The file goes in all or nothing: only a file whose every row passes can
/// be confirmed, and confirming stores all its readings in one transaction. The readings download in
/// the same format.
struct ReadingImportController: Sendable {
    let env: AppEnvironment

    func addRoutes(to router: Router<AppRequestContext>) {
        let group = router.group(context: SignedInRequestContext.self)
        group.get("/patients/:patient/reading-imports", use: form)
        group.post(RouterPath(Paths.MultipartRoutes.readingImports), use: preview)
        group.post("/patients/:patient/reading-imports/confirm", use: confirm)
        group.get("/patients/:patient/readings.csv", use: download)
    }

    @Sendable func form(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        let patient = try await open(context, .contributeToRecord).patient
        return env.renderer.response(page(context, patient: patient, fileError: nil, fileName: "", text: "", rows: []))
    }

    @Sendable func preview(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        let patient = try await open(context, .contributeToRecord).patient
        let receiver = MultipartFormReceiver(maxFileSize: ReadingsCSV.maximumBytes, maxFiles: 1)
        let folder = env.configuration.temporaryDirectory
        let received: MultipartFormReceiver.ReceivedForm<URL>
        switch try await receiver.receivePageForm(request, sessionCSRFToken: context.csrfToken, makeSink: { TemporaryFileSink(folder: folder) }) {
        case .success(let form):
            received = form
        case .failure(let failure):
            let (message, status) = failure.explanation(nothingKept: "Nothing was stored.")
            return env.renderer.response(page(context, patient: patient, fileError: message, fileName: "", text: "", rows: []), status: status)
        }
        defer { for file in received.files { try? FileManager.default.removeItem(at: file.stored) } }
        guard let file = received.files.first(where: { $0.field == "file" }) else {
            return env.renderer.response(page(context, patient: patient, fileError: "Choose a CSV file of readings.", fileName: "", text: "", rows: []),
                                         status: .badRequest)
        }
        guard let text = String(data: try Data(contentsOf: file.stored), encoding: .utf8) else {
            return env.renderer.response(page(context, patient: patient, fileError: "\(file.fileName) is not a text file in UTF-8. Save it as CSV (UTF-8) and try again.",
                                              fileName: "", text: "", rows: []), status: .unprocessableContent)
        }
        return try respond(context, patient: patient, fileName: file.fileName, text: text)
    }

    @Sendable func confirm(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        var request = request
        let record = try await open(context, .contributeToRecord)
        let patient = record.patient
        let form = try await request.form()
        let text = form.value("csv"), fileName = form.value("fileName")
        let rows: [ReadingsCSV.Row]
        do { rows = try ReadingsCSV.rows(text, now: Date(), timeZone: env.configuration.timeZone) } catch {
            return env.renderer.response(page(context, patient: patient, fileError: error.message, fileName: "", text: "", rows: []), status: .unprocessableContent)
        }
        let readings = rows.compactMap(\.reading)
        // What is stored is exactly what was previewed, and only whole: any refused row sends the
        // person back to the preview with nothing stored.
        guard !readings.isEmpty, readings.count == rows.count, readings.count == Int(form.value("expected")) else {
            return try respond(context, patient: patient, fileName: fileName, text: text, status: .conflict)
        }
        let contributions = readings.map { ContributionService.reading($0, in: record, account: context.account) }
        try await ContributionService(env: env).record(contributions, in: record, by: context.account, info: context.info,
                                                       action: .readingsRecorded, activity: "Home readings imported from a CSV file")
        throw Redirect.to(Paths.readings(patient.id.description) + "?notice=readings-imported")
    }

    /// Every reading of every measure (the patient's and the clinic's), newest first, as CSV.
    @Sendable func download(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        let record = try await open(context, .downloadRecord)
        var all: [ReadingsLoader.Found] = []
        for measure in ReadingMeasure.allCases { all += try await ReadingsLoader().load(record, measure: measure, limit: 5000) }
        all.sort { $0.point.time > $1.point.time }
        record.shown(all.map(\.resource))
        let csv = ReadingsCSV.text(all.map { ($0.point, $0.origin.isPatientProvided ? "patient" : "clinic") })
        return Response(status: .ok, headers: [
            .contentType: "text/csv; charset=utf-8",
            .contentDisposition: "attachment; filename=\"readings.csv\"",
        ], body: .init(byteBuffer: ByteBuffer(string: csv)))
    }

    private func respond(_ context: SignedInRequestContext, patient: Patient, fileName: String, text: String,
                         status: HTTPResponse.Status = .ok) throws -> Response {
        do {
            let rows = try ReadingsCSV.rows(text, now: Date(), timeZone: env.configuration.timeZone)
            return env.renderer.response(page(context, patient: patient, fileError: nil, fileName: fileName, text: text, rows: rows),
                                         status: rows.contains { $0.reading == nil } ? .unprocessableContent : status)
        } catch {
            return env.renderer.response(page(context, patient: patient, fileError: "\(fileName): \(error.message) Nothing was stored.",
                                              fileName: "", text: "", rows: []), status: .unprocessableContent)
        }
    }

    private func open(_ context: SignedInRequestContext, _ action: Action) async throws -> PatientRecord {
        try await env.records.open(try context.parameters.require("patient"), for: action, context: context, target: ResourceRef(type: "Observation", id: "readings:csv"))
    }

    private func page(_ context: SignedInRequestContext, patient: Patient, fileError: String?, fileName: String, text: String,
                      rows: [ReadingsCSV.Row]) -> ReadingImportPage {
        let id = patient.id.description
        let accepted = rows.compactMap { row in
            row.reading.map { ReadingImportPage.Accepted(line: row.line, measure: $0.measure.title, date: PlainDate.dayAndTime($0.effective), value: $0.displayValue) }
        }
        let rejected = rows.filter { $0.reading == nil }.map { ReadingImportPage.Rejected(line: $0.line, text: $0.text, problems: $0.problems) }
        return ReadingImportPage(
            layout: context.layout("Add readings from a file"), patientName: patient.fullName, action: Paths.readingsImport(id), fileError: fileError,
            measureNames: ReadingMeasure.allCases.map { m in "\(m.csvNames[0]) – \(m.title), in \(m.units.map(\.display).joined(separator: " or "))" },
            limit: MultipartFormReceiver.sizeLimit(ReadingsCSV.maximumBytes), hasPreview: !rows.isEmpty, fileName: fileName,
            rejected: rejected, hasRejected: !rejected.isEmpty, accepted: accepted, acceptedCount: accepted.count,
            canStore: !accepted.isEmpty && rejected.isEmpty, confirmAction: Paths.readingsImportConfirm(id), csvText: rows.isEmpty ? "" : text,
            backLink: Paths.readings(id))
    }
}
