import CareVaultCore
import CareVaultStore
import Foundation
import Hummingbird

/// One uploaded file's page: preview, details, review status; the patient (or whoever uploaded it)
/// renames, re-files or deletes it through ``UploadChangeService``.
struct UploadItemController: Sendable {
    let env: AppEnvironment

    func addRoutes(to router: Router<AppRequestContext>) {
        let group = router.group(context: SignedInRequestContext.self)
        group.get("/patients/:patient/uploads/:upload", use: show)
        group.post("/patients/:patient/uploads/:upload", use: change)
        group.get("/patients/:patient/uploads/:upload/preview", use: preview)
    }

    @Sendable func show(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        let (record, upload, review) = try await load(context, .readRecord)
        let (patient, basis) = (record.patient, record.basis)
        record.shown([("DocumentReference", upload.documentID)])
        let proxyNames = try await record.read { try await $0.proxyNames() }
        return env.renderer.response(page(context, request: request, patient: patient, basis: basis, upload: upload, review: review,
                                          preview: await UploadPreview.of(upload, env: env), form: nil, failure: nil, proxyNames: proxyNames))
    }

    /// A PDF's first page, or a HEIC or TIFF image, as a PNG drawn by a sandboxed converter (once, then
    /// kept); 404 where there is none.
    @Sendable func preview(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        let (record, upload, _) = try await load(context, .readRecord)
        guard let render = await UploadPreview.converter(for: upload, env: env) else { throw HTTPError(.notFound) }
        record.shown([("DocumentReference", upload.documentID), ("Binary", upload.id)])
        let png = try await UploadPreviewCache(env: env).png(for: upload, render: render)
        guard let png else { throw HTTPError(.notFound, message: "This file has no preview.") }
        return Response(status: .ok, headers: [.contentType: "image/png", .cacheControl: "no-store"], body: .init(byteBuffer: ByteBuffer(bytes: png)))
    }

    @Sendable func change(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        var request = request
        let (record, upload, review) = try await load(context, .contributeToRecord)
        let (patient, basis) = (record.patient, record.basis)
        let form = try await request.form()
        let base = Paths.uploads(patient.id.description)
        switch form.value("do") {
        case "delete":
            try await UploadChangeService().delete(upload, review: review, in: record, by: context.account, info: context.info)
            throw Redirect.to(base + "?notice=upload-deleted")
        case "save":
            let title = form.value("title").trimmingCharacters(in: .whitespacesAndNewlines)
            var errors: [FieldError] = []
            if title.isEmpty || title.count > 200 { errors.append(FieldError(field: "title", message: "Enter a title of 1 to 200 characters.")) }
            let category = UploadCategory(rawValue: form.value("category"))
            if category == nil { errors.append(FieldError(field: "category", message: "Choose what kind of paper this is.")) }
            guard errors.isEmpty, let category else {
                let proxyNames = try await record.read { try await $0.proxyNames() }
                return env.renderer.response(page(context, request: request, patient: patient, basis: basis, upload: upload, review: review,
                                                  preview: await UploadPreview.of(upload, env: env), form: form, failure: ValidationFailure(errors),
                                                  proxyNames: proxyNames), status: .badRequest)
            }
            try await UploadChangeService().rename(upload, title: title, category: category, review: review, in: record, by: context.account,
                                                   info: context.info)
            throw Redirect.to(Paths.upload(patient.id.description, upload.id) + "?notice=upload-saved")
        default:
            throw HTTPError(.badRequest, message: "Choose to save changes or to delete the file.")
        }
    }

    /// Who added an upload: the patient, or someone who held proxy access to the record.
    static func origin(_ upload: PatientUpload, patient: Patient, proxyNames: [String: String]) -> RecordOrigin {
        guard let by = upload.uploadedBy?.description, proxyNames[by] != nil else { return .patient }
        return .proxy(account: by)
    }

    private func load(_ context: SignedInRequestContext, _ action: Action) async throws -> (PatientRecord, PatientUpload, ReviewItem?) {
        let uploadID = try context.parameters.require("upload")
        let record = try await env.records.open(try context.parameters.require("patient"), for: action, context: context, target: ResourceRef(type: "DocumentReference", id: uploadID))
        let found = try await record.read { r -> (PatientUpload, ReviewItem?)? in
            guard let upload = try await r.upload(id: uploadID) else { return nil }
            return (upload, try await r.review(resourceType: "DocumentReference", id: upload.documentID))
        }
        guard let (upload, review) = found else { throw HTTPError(.notFound) }
        return (record, upload, review)
    }

    private func page(_ context: SignedInRequestContext, request: Request, patient: Patient, basis: Basis, upload: PatientUpload, review: ReviewItem?,
                      preview: UploadPreview?, form: FormData?, failure: ValidationFailure?, proxyNames: [String: String]) -> UploadItemPage {
        let id = patient.id.description
        var facts: [ReviewItemPage.Fact] = [
            .init(label: "File", value: upload.fileName),
            .init(label: "Kind", value: "\(upload.kind.title), \(FileWords.size(upload.size))"),
            .init(label: "What it is", value: upload.category.title),
            .init(label: "Added", value: PlainDate.instant(upload.createdAt, in: env.configuration.timeZone)),
            .init(label: "From", value: Self.origin(upload, patient: patient, proxyNames: proxyNames).text(
                toPatient: basis == .ownRecord, patientName: patient.fullName, proxyNames: proxyNames)),
        ]
        if let date = upload.serviceDate { facts.insert(.init(label: "Date of service", value: PlainDate.day(date)), at: 3) }
        if !upload.removedMetadata.isEmpty {
            facts.append(.init(label: "Removed for your privacy", value: "Location and camera details (\(upload.removedMetadata.joined(separator: ", ")))"))
        }
        if let header = upload.dicomHeader { facts.append(.init(label: "Image", value: FileWords.imageSummary(header))) }
        let identifying = upload.dicomHeader?.identifying.map { "\($0.name): \($0.name.hasSuffix("date") ? FileWords.dicomDate($0.value) : $0.value)" } ?? []
        let chosen = form?.value("category") ?? upload.category.rawValue
        return UploadItemPage(
            layout: context.layout(upload.title, request: request), title: upload.title, facts: facts,
            downloadLink: Paths.uploadFile(id, upload.id),
            preview: preview, isPDF: upload.kind == .pdf,
            status: review?.status.title, comment: review?.status == .returned ? review?.comment : nil,
            identifyingDetails: identifying, hasIdentifyingDetails: !identifying.isEmpty,
            canEdit: basis == .ownRecord || upload.uploadedBy == context.account.id,
            errorSummary: ErrorSummary(failure), action: Paths.upload(id, upload.id),
            titleField: FormField(name: "title", label: "Title", value: form?.value("title") ?? upload.title, error: failure?.error("title")),
            category: SelectField(name: "category", label: "What is it?", options: UploadCategory.allCases.map {
                .init(value: $0.rawValue, text: $0.title, selected: $0.rawValue == chosen)
            }, error: failure?.error("category")),
            backLink: Paths.uploads(id))
    }
}
