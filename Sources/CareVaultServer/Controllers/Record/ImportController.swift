import CareVaultCore
import CareVaultStore
import Foundation
import Hummingbird
import Logging

/// The staff import page: FHIR R4 bundles and NDJSON files uploaded from the browser (or posted as
/// `multipart/form-data`) and imported like `carevault import`. Uploads stream to temporary files
/// under the data folder and are removed when the request ends, whatever happened.
struct ImportController: Sendable {
    static let maxUnknownShown = 20
    let env: AppEnvironment

    func addRoutes(to router: Router<AppRequestContext>) {
        let group = router.group(context: StaffRequestContext.self)
        group.get(RouterPath(Paths.staffImport), use: form)
        group.post(RouterPath(Paths.MultipartRoutes.staffImport), use: upload)
    }

    @Sendable func form(_ request: Request, context: StaffRequestContext) async throws -> Response {
        _ = try context.organization(permitting: .importRecords)
        return env.renderer.response(page(context, results: [], fileError: nil))
    }

    @Sendable func upload(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let organization = try context.organization(permitting: .importRecords)
        let receiver = MultipartFormReceiver(maxFileSize: env.configuration.maxUploadBytes)
        let folder = env.configuration.temporaryDirectory
        let received: MultipartFormReceiver.ReceivedForm<URL>
        switch try await receiver.receivePageForm(request, sessionCSRFToken: context.csrfToken, makeSink: { TemporaryFileSink(folder: folder) }) {
        case .success(let form):
            received = form
        case .failure(let failure):
            let (message, status) = failure.explanation(nothingKept: "Nothing was imported.")
            return refuse(message, status: status, context)
        }
        defer { for file in received.files { try? FileManager.default.removeItem(at: file.stored) } }
        let files = received.files.filter { $0.field == "files" }
        guard !files.isEmpty else { return refuse("Choose at least one .json or .ndjson file.", status: .badRequest, context) }
        if let odd = files.first(where: { !$0.fileName.lowercased().hasSuffix(".json") && !$0.fileName.lowercased().hasSuffix(".ndjson") }) {
            return refuse("\(odd.fileName) is not a .json or .ndjson file. Nothing was imported.", status: .unsupportedMediaType, context)
        }

        let service = RecordImportService(env: env)
        let options = RecordImportService.Options(samePerson: Set(received.fields["same_person"] ?? []))
        var results: [ImportPage.Result] = []
        var mismatches: [ImportPatientMismatch] = []
        let ndjson = files.filter { $0.fileName.lowercased().hasSuffix(".ndjson") }
        if !ndjson.isEmpty {
            let source = ndjson.map(\.fileName).joined(separator: " + ")
            do {
                let contents = try ndjson.map { (name: $0.fileName, data: try Data(contentsOf: $0.stored)) }
                let summaries = try await service.importNDJSON(contents, into: organization, by: context.account, info: context.info, options: options)
                results += summaries.map { result(source: source, summary: $0) }
            } catch let mismatch as ImportPatientMismatch {
                mismatches.append(mismatch)
                results.append(failed(source: source, mismatch))
            } catch {
                results.append(failed(source: source, error))
            }
        }
        for file in files where file.fileName.lowercased().hasSuffix(".json") {
            do {
                let summary = try await service.importBundle(fileAt: file.stored.path, source: file.fileName, into: organization,
                                                             by: context.account, info: context.info, options: options)
                results.append(result(source: file.fileName, summary: summary))
            } catch let mismatch as ImportPatientMismatch {
                mismatches.append(mismatch)
                results.append(failed(source: file.fileName, mismatch))
            } catch {
                results.append(failed(source: file.fileName, error))
            }
        }
        let status: HTTPResponse.Status = results.contains(where: \.imported) ? .ok : .unprocessableContent
        var shown = page(context, results: results, fileError: nil)
        shown.samePersonChoices = mismatches.enumerated().map { index, mismatch in
            .init(patientID: mismatch.patientID, fieldID: "same-person-\(index)", differences: mismatch.differences.joined(separator: " and "))
        }
        return env.renderer.response(shown, status: status)
    }

    private func result(source: String, summary: RecordImportService.Summary) -> ImportPage.Result {
        let unknown = summary.unknownElements.prefix(Self.maxUnknownShown).map(\.description)
            + (summary.unknownElements.count > Self.maxUnknownShown ? ["… and \(summary.unknownElements.count - Self.maxUnknownShown) more"] : [])
        var result = ImportPage.Result(
            source: source, imported: true, error: nil, patientName: summary.patient.fullName, mrn: summary.patient.mrn,
            patientLink: Paths.patientHome(summary.patient.id.description), isNewPatient: summary.patientCreated,
            counts: summary.counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "),
            changes: "\(summary.created) new, \(summary.updated) updated, \(summary.unchanged) unchanged",
            unknownElements: unknown, hasUnknownElements: !unknown.isEmpty)
        result.demographicChanges = summary.demographicChanges
        return result
    }

    private func failed(source: String, _ error: any Error) -> ImportPage.Result {
        let message: String
        if let error = error as? BundleImportError {
            message = "The problem: \(error)."
        } else if let error = error as? ImportPatientMismatch {
            message = "The problem: \(error)."
        } else {
            // Storage failures can carry driver detail: that goes to the log, not the page.
            env.logger.error("import failed in storage", metadata: ["error": "\(LoggableError.describe(error))"])
            message = "The database refused it; the server log has the details."
        }
        return ImportPage.Result(source: source, imported: false, error: message, patientName: nil, mrn: nil, patientLink: nil,
                                 isNewPatient: false, counts: nil, changes: nil, unknownElements: [], hasUnknownElements: false)
    }

    private func refuse(_ message: String, status: HTTPResponse.Status, _ context: StaffRequestContext) -> Response {
        env.renderer.response(page(context, results: [], fileError: message), status: status)
    }

    private func page(_ context: StaffRequestContext, results: [ImportPage.Result], fileError: String?) -> ImportPage {
        ImportPage(layout: context.layout("Import health records"),
                   errorSummary: ErrorSummary(fileError.map { ValidationFailure([FieldError(field: "files", message: $0)]) }),
                   action: Paths.staffImport, limit: MultipartFormReceiver.sizeLimit(env.configuration.maxUploadBytes), fileError: fileError,
                   results: results, hasResults: !results.isEmpty)
    }

}
