import CareVaultCore
import CareVaultStore
import Foundation
import Hummingbird
import NIOCore

/// The patient's vault of their own files: upload (from the page, or any client posting
/// `multipart/form-data`), list, and download. Files stream through ``VaultFileSink`` — identified by
/// their content, encrypted as they arrive — and land in the record as DocumentReferences.
struct UploadsController: Sendable {
    static let pageSize = 25
    let env: AppEnvironment

    func addRoutes(to router: Router<AppRequestContext>) {
        let group = router.group(context: SignedInRequestContext.self)
        group.get("/patients/:patient/uploads", use: list)
        group.post(RouterPath(Paths.MultipartRoutes.patientUploads), use: upload)
        group.get("/patients/:patient/uploads/:upload/file", use: download)
    }

    @Sendable func list(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        let record = try await open(context, for: .readRecord, resource: ResourceRef(type: "DocumentReference", id: "uploads"))
        return env.renderer.response(try await page(request, context, record: record, results: [], failure: nil, fileError: nil))
    }

    @Sendable func upload(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        let record = try await open(context, for: .contributeToRecord, resource: ResourceRef(type: "DocumentReference", id: "upload"))
        let patient = record.patient
        let receiver = MultipartFormReceiver(maxFileSize: env.configuration.maxUploadBytes)
        let store = env.blobStore, masterKey = env.masterKey
        let spoolDirectory = env.configuration.temporaryDirectory
        let received: MultipartFormReceiver.ReceivedForm<VaultedFile>
        switch try await receiver.receivePageForm(request, sessionCSRFToken: context.csrfToken, makeSink: { VaultFileSink(store: store, masterKey: masterKey, spoolDirectory: spoolDirectory) }) {
        case .success(let form):
            received = form
        case .failure(let failure):
            let (message, status) = failure.explanation(nothingKept: "Nothing was stored.")
            try await auditRefusal(context, patient: patient, reason: message)
            if request.wantsJSON { throw HTTPError(status, message: message) }
            return env.renderer.response(try await page(request, context, record: record, results: [], failure: nil, fileError: message),
                                         status: status)
        }
        let (details, failure) = Self.details(received)
        let files = received.files.filter { $0.field == "files" }
        // Files sent under any other field name are not uploads: their blobs go at once.
        for stray in received.files where stray.field != "files" { try? await env.blobStore.delete(id: stray.stored.blobID) }
        let refused = received.refused.map { "\($0.fileName) \($0.reason). It was not stored." }
        if let failure {
            for file in received.files { try? await env.blobStore.delete(id: file.stored.blobID) }
            if request.wantsJSON { throw failure }
            return env.renderer.response(try await page(request, context, record: record, results: [], failure: failure, fileError: nil),
                                         status: .badRequest)
        }
        guard let details, !files.isEmpty || !refused.isEmpty else {
            if request.wantsJSON { throw ValidationFailure([FieldError(field: "files", message: "Choose at least one file.")]) }
            return env.renderer.response(try await page(request, context, record: record, results: [], failure: nil,
                                                        fileError: "Choose at least one file."), status: .badRequest)
        }
        for reason in refused { try await auditRefusal(context, patient: patient, reason: reason) }
        let outcome = try await PatientUploadService(env: env).record(files, details: details, into: record, by: context.account, info: context.info)
        if request.wantsJSON { return Self.apiAnswer(outcome, refused: received.refused) }
        let results = outcome.stored.map { upload in
            "\(upload.fileName) was added to your record as “\(upload.title)”."
                + (upload.removedMetadata.isEmpty ? "" : " Hidden details that could identify you or where it was taken (\(upload.removedMetadata.joined(separator: ", "))) were removed from the stored copy.")
        }
            + outcome.alreadyThere.map { "\($0.fileName) is already in your files as “\($0.existing.title)”, so it was not stored again." }
            + refused
        let status: HTTPResponse.Status = outcome.stored.isEmpty && outcome.alreadyThere.isEmpty ? .unprocessableContent : .ok
        return env.renderer.response(try await page(request, context, record: record, results: results, failure: nil,
                                                    fileError: status == .ok ? nil : "None of the files could be stored."), status: status)
    }

    /// What an API client (Accept: application/json) gets for an upload: 201 with each stored file's
    /// DocumentReference and Binary, the files already stored, and the refused ones with the reason;
    /// 422 problem+json when nothing could be stored.
    static func apiAnswer(_ outcome: PatientUploadService.Outcome, refused: [(fileName: String, reason: String)]) -> Response {
        let refusedJSON = JSONValue.array(refused.map { .object([("fileName", .string($0.fileName)), ("reason", .string("\($0.fileName) \($0.reason)."))]) })
        let status: HTTPResponse.Status
        let body: JSONValue
        if outcome.stored.isEmpty && outcome.alreadyThere.isEmpty {
            status = .unprocessableContent
            body = .object([("type", .string("about:blank")), ("title", .string(status.reasonPhrase)), ("status", .number(String(status.code))),
                            ("detail", .string("None of the files could be stored.")), ("refused", refusedJSON)])
        } else {
            status = outcome.stored.isEmpty ? .ok : .created
            body = .object([
                ("stored", .array(outcome.stored.map { upload in .object([
                    ("fileName", .string(upload.fileName)), ("title", .string(upload.title)), ("contentType", .string(upload.kind.contentType)),
                    ("size", .number(String(upload.size))), ("documentReference", .string("DocumentReference/\(upload.documentID)")),
                    ("binary", .string("Binary/\(upload.id)")), ("removedMetadata", .array(upload.removedMetadata.map { .string($0) })),
                ]) })),
                ("alreadyStored", .array(outcome.alreadyThere.map { .object([
                    ("fileName", .string($0.fileName)), ("documentReference", .string("DocumentReference/\($0.existing.documentID)")),
                ]) })),
                ("refused", refusedJSON),
            ])
        }
        let contentType = status == .unprocessableContent ? "application/problem+json" : "application/json"
        return Response(status: status, headers: [.contentType: contentType], body: .init(byteBuffer: ByteBuffer(string: body.jsonText)))
    }

    /// Streams the original file, decrypted and checked chunk by chunk as it goes out. A stored file
    /// that fails its check ends the response early: its declared length then tells the client it is incomplete.
    @Sendable func download(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        let uploadID = try context.parameters.require("upload")
        let record = try await open(context, for: .downloadRecord, resource: ResourceRef(type: "DocumentReference", id: uploadID))
        guard let upload = try await record.read({ try await $0.upload(id: uploadID) }) else { throw HTTPError(.notFound) }
        record.shown([("DocumentReference", upload.documentID), ("Binary", upload.id)])
        return UploadFileResponse.make(upload, env: env)
    }

    private func open(_ context: SignedInRequestContext, for action: Action, resource: ResourceRef) async throws -> PatientRecord {
        try await env.records.open(try context.parameters.require("patient"), for: action, context: context, target: resource)
    }

    private func auditRefusal(_ context: SignedInRequestContext, patient: Patient, reason: String) async throws {
        // The reason names the file kind, not its content; no file bytes or names reach the audit log.
        try await env.audit.record(AuditEvent(.uploadRefused, info: context.info, actor: context.account, outcome: .failure, patient: patient.id,
                                              resourceType: "DocumentReference", resourceID: nil))
    }

    /// The form's fields, checked: a title (optional, ≤ 200), a category, a date of service (optional, not in the future).
    static func details(_ form: MultipartFormReceiver.ReceivedForm<VaultedFile>) -> (PatientUploadService.Details?, ValidationFailure?) {
        var errors: [FieldError] = []
        let title = form.value("title").trimmingCharacters(in: .whitespacesAndNewlines)
        if title.count > 200 { errors.append(FieldError(field: "title", message: "Use a title of at most 200 characters.")) }
        let categoryText = form.value("category")
        let category = categoryText.isEmpty ? UploadCategory.other : UploadCategory(rawValue: categoryText)
        if category == nil { errors.append(FieldError(field: "category", message: "Choose what kind of paper this is.")) }
        let date = form.value("serviceDate")
        if !date.isEmpty {
            if let day = BirthDate(date), day <= BirthDate(Date()) { } else {
                errors.append(FieldError(field: "serviceDate", message: "Enter the date of service as a past date, for example 2026-03-14."))
            }
        }
        guard errors.isEmpty, let category else { return (nil, ValidationFailure(errors)) }
        return (PatientUploadService.Details(title: title, category: category, serviceDate: date.isEmpty ? nil : date), nil)
    }

    private func page(_ request: Request, _ context: SignedInRequestContext, record: PatientRecord, results: [String],
                      failure: ValidationFailure?, fileError: String?) async throws -> UploadsPage {
        let page = Paging.page(of: request)
        let patient = record.patient
        let (uploads, reviews) = try await record.read { r in
            let uploads = try await r.uploads(limit: Self.pageSize + 1, offset: page * Self.pageSize)
            return (uploads, try await r.reviews(resourceType: "DocumentReference", ids: uploads.map(\.documentID)))
        }
        let shown = uploads.prefix(Self.pageSize)
        // Titles, file names and scans' identifying details are shown: each file listed is named in the audit event.
        record.shown(shown.map { ("DocumentReference", $0.documentID) })
        let base = Paths.uploads(patient.id.description)
        let summary = failure ?? fileError.map { ValidationFailure([FieldError(field: "files", message: $0)]) }
        return UploadsPage(
            layout: context.layout(record.isOwn ? "Your files" : "Files – \(patient.fullName)"), patientName: patient.fullName,
            errorSummary: ErrorSummary(summary), action: base,
            title: FormField(name: "title", label: "Title (optional)", type: "text", value: "", hint: "for example Blood test from City Lab",
                             error: failure?.error("title"), required: false),
            category: SelectField(name: "category", label: "What is it?", options: UploadCategory.allCases.map {
                .init(value: $0.rawValue, text: $0.title, selected: $0 == .other)
            }, error: failure?.error("category")),
            serviceDate: FormField(name: "serviceDate", label: "Date of service (optional)", type: "date", value: "",
                                   error: failure?.error("serviceDate"), required: false),
            limit: MultipartFormReceiver.sizeLimit(env.configuration.maxUploadBytes), fileError: fileError,
            results: results, hasResults: !results.isEmpty,
            uploads: shown.map { upload in
                UploadsPage.Item(title: upload.title, fileName: upload.fileName,
                                 kind: "\(upload.kind.title), \(FileWords.size(upload.size))"
                                    + (upload.removedMetadata.isEmpty ? "" : "; location and camera details removed"),
                                 category: upload.category.title,
                                 serviceDate: upload.serviceDate.map(PlainDate.day), uploaded: PlainDate.instant(upload.createdAt, in: env.configuration.timeZone),
                                 source: upload.uploadedBy == context.account.id ? "You" : "Patient",
                                 link: Paths.upload(patient.id.description, upload.id),
                                 downloadLink: Paths.uploadFile(patient.id.description, upload.id),
                                 status: reviews[upload.documentID]?.status.title ?? "",
                                 comment: reviews[upload.documentID].flatMap { $0.status == .returned ? $0.comment : nil },
                                 imageSummary: upload.dicomHeader.map(FileWords.imageSummary),
                                 identifyingDetails: upload.dicomHeader?.identifying.map { "\($0.name): \($0.name.hasSuffix("date") ? FileWords.dicomDate($0.value) : $0.value)" } ?? [],
                                 hasIdentifyingDetails: !(upload.dicomHeader?.identifying.isEmpty ?? true))
            },
            isEmpty: shown.isEmpty,
            previousPageLink: page > 0 ? "\(base)?page=\(page - 1)" : nil,
            nextPageLink: uploads.count > Self.pageSize ? "\(base)?page=\(page + 1)" : nil,
            backLink: Paths.patientHome(patient.id.description))
    }

}
