import CareVaultCore
import CareVaultStore
import Foundation
import Hummingbird

/// The recipient's side of a share (no account): the link asks for the access code (and the patient's
/// birth date if the patient chose that), then a read-only view of exactly what was shared — every
/// page and download through the record's door as the share's reader, audited, in a session of at
/// most 30 minutes bound to the share. An ended share shows that it ended, and nothing else.
struct SharedRecordController: Sendable {
    let env: AppEnvironment
    let cookies: SessionCookie

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/s/:token", use: codeForm)
        router.post("/s/:token", use: enter)
        router.get("/shared", use: show)
        router.get("/shared/items/:type/:id", use: item)
        router.get("/shared/items/:type/:id/files/:index", use: file)
        router.get("/shared/items/:type/:id/preview", use: preview)
        router.get("/shared/record.pdf", use: pdf)
        router.get("/shared/record.json", use: fhir)
        router.post("/shared/leave", use: leave)
    }

    private var openings: ShareOpeningService { ShareOpeningService(env: env) }

    // MARK: The link and its code

    private func codePage(_ context: AppRequestContext, token: String, share: ShareLink, failure: ValidationFailure?) -> FormPage {
        var fields = [FormField(name: "code", label: "Access code", hint: "The person who shared this gave you the code separately, for example 7K2M-9QXD.",
                                error: failure?.error("code"))]
        if share.asksBirthDate {
            fields.append(FormField(name: "birthDate", label: "The patient's date of birth", type: "date", hint: "For example 1984-03-27",
                                    error: failure?.error("birthDate")))
        }
        return FormPage(layout: .anonymous("Shared health records", csrf: context.csrfToken), heading: "Someone shared health records with you",
                        intro: ["Enter the access code to see them. After \(ShareLink.attemptLimit) wrong tries the share locks.",
                                "The patient will see that the records were opened, when, and from where."],
                        failure: failure, action: Paths.shareLink(token), fields: fields, submitLabel: "See the records")
    }

    private func endedPage(_ context: AppRequestContext, _ reason: ShareLink.EndReason?) -> Response {
        let why = switch reason {
        case .revoked: "The person who shared it ended it."
        case .expired: "Its time ran out."
        case .locked: "Too many wrong codes were entered, so it locked."
        case .used: "It could be opened once, and it has been."
        case .sharerLostAccess: "The person who shared it no longer has access to this record."
        case nil: "This link does not work. Check that you copied all of it."
        }
        let page = MessagePage(layout: .anonymous(reason == nil ? "Link not found" : "This share has ended", csrf: context.csrfToken),
                               heading: reason == nil ? "This link does not work" : "This share has ended",
                               paragraphs: [why, "Ask the person who shared it with you for a new one."])
        var response = env.renderer.response(page, status: reason == nil ? .notFound : .gone)
        response.setCookie(cookies.clearedShare())
        return response
    }

    @Sendable func codeForm(_ request: Request, context: AppRequestContext) async throws -> Response {
        let token = try context.parameters.require("token")
        do {
            let stored = try await openings.find(token: token)
            return env.renderer.response(codePage(context, token: token, share: stored.share, failure: nil))
        } catch let refusal as ShareOpeningService.Refusal {
            return endedPage(context, refusal.reason)
        }
    }

    @Sendable func enter(_ request: Request, context: AppRequestContext) async throws -> Response {
        var request = request
        let form = try await request.form()
        let token = try context.parameters.require("token")
        do {
            let opened = try await openings.open(token: token, code: form.value("code"), birthDate: form.value("birthDate"), info: context.info)
            var response = Response(status: .seeOther, headers: [.location: Paths.sharedRecord])
            response.setCookie(cookies.share(opened.sessionToken))
            return response
        } catch let failure as ValidationFailure {
            // A parallel try may have locked it meanwhile: then it says so.
            do {
                let stored = try await openings.find(token: token)
                return env.renderer.response(codePage(context, token: token, share: stored.share, failure: failure), status: .badRequest)
            } catch let refusal as ShareOpeningService.Refusal {
                return endedPage(context, refusal.reason)
            }
        } catch let refusal as ShareOpeningService.Refusal {
            return endedPage(context, refusal.reason)
        }
    }

    // MARK: Reading

    /// The share this request's session reads, opened through the door for `action`; or the page to show instead.
    private func open(_ request: Request, _ context: AppRequestContext, for action: Action, target: ResourceRef) async throws
        -> Result<(ShareLink, PatientRecord), ShareDenied> {
        guard let stored = try await openings.session(request.cookies[cookies.shareName]?.value) else { return .failure(.noSession) }
        if let reason = try await openings.readingEnded(stored) { return .failure(.ended(reason)) }
        let share = stored.share
        let reader = ShareReaderContext(share: share, info: context.info, recordAudit: context.recordAudit)
        let record = try await env.records.open(share.patient.description, for: action, context: reader, target: target)
        return .success((share, record))
    }

    /// Why a request of the shared record shows no data.
    enum ShareDenied: Error {
        case noSession
        case ended(ShareLink.EndReason)
    }

    private func denied(_ context: AppRequestContext, _ reason: ShareDenied) -> Response {
        switch reason {
        case .ended(let why): return endedPage(context, why)
        case .noSession:
            var response = env.renderer.response(MessagePage(
                layout: .anonymous("Enter the code again", csrf: context.csrfToken), heading: "Enter the code again",
                paragraphs: ["To keep the records safe, you can read them for \(ShareLink.sessionMinutes) minutes at a time. Open the link you were given and enter the access code again."]),
                status: .unauthorized)
            response.setCookie(cookies.clearedShare())
            return response
        }
    }

    private func layout(_ title: String, _ context: AppRequestContext, share: ShareLink, patient: Patient) -> Layout {
        Layout(title: title, csrfToken: context.csrfToken,
               viewing: "Shared by \(patient.fullName) for “\(share.label)” — read only, until \(PlainDate.day(share.expiresAt, in: env.configuration.timeZone)).")
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        switch try await open(request, context, for: .readRecord, target: ResourceRef(type: "Patient", id: "shared")) {
        case .failure(let reason): return denied(context, reason)
        case .success(let (share, record)):
            let resources = try await record.read { try await SharedReads.listed($0, share: share) }
            record.shown(resources)
            let content = SharedContent(resources)
            let zone = env.configuration.timeZone
            return noStore(env.renderer.response(SharedRecordPage(
                layout: layout("Shared health records", context, share: share, patient: record.patient),
                patientName: record.patient.fullName, birthDate: PlainDate.day(record.patient.birthDate.description), label: share.label, note: share.note,
                ends: PlainDate.instant(share.expiresAt, in: zone),
                groups: content.groups.map { group in
                    SharedRecordPage.Group(title: group.title, items: group.items.map { item in
                        SharedRecordPage.Item(name: item.entry.name, date: item.entry.date.map(PlainDate.day) ?? "", kind: item.kind,
                                              summary: item.details.prefix(3).map { "\($0.label): \($0.value)" }.joined(separator: "; "),
                                              link: Paths.sharedItem(type: item.resource.resourceType, id: item.resource.id))
                    })
                },
                pdfLink: share.allowsDownload ? Paths.sharedPDF : nil, fhirLink: share.allowsDownload ? Paths.sharedFHIR : nil,
                leaveAction: Paths.sharedLeave)))
        }
    }

    @Sendable func item(_ request: Request, context: AppRequestContext) async throws -> Response {
        let type = try context.parameters.require("type"), id = try context.parameters.require("id")
        switch try await open(request, context, for: .readRecord, target: ResourceRef(type: type, id: id)) {
        case .failure(let reason): return denied(context, reason)
        case .success(let (share, record)):
            guard let resource = try await record.read({ try await $0.item(type: type, id: id) }),
                  resource.section != nil || resource.resourceType == "Encounter", let json = try? JSONParser.parse(resource.json)
            else { throw HTTPError(.notFound) }
            record.shown([resource])
            let entry = RecordEntry(resourceType: type, id: id, json: json)
            let image = try await record.read { try await SharedImages.find(in: [resource], reader: $0) }.first
            let consented = image == nil ? false : (try? await SharedImageFile(env: env).requireConsent("\(type)/\(id)", in: record, share: share.id)) != nil
            return noStore(env.renderer.response(SharedItemPage(
                layout: layout(entry.name, context, share: share, patient: record.patient), patientName: record.patient.fullName, name: entry.name,
                kind: RecordItem(resourceType: type, id: id, json: json).kind, date: entry.date.map(PlainDate.day) ?? "Not recorded",
                status: entry.status, details: SharedContent.details(entry, json: json, id: id).map { SharedItemPage.Detail(label: $0.label, value: $0.value) },
                attachments: share.allowsDownload ? entry.attachments.map { a in
                    SharedItemPage.Attachment(title: a.title ?? "file \(a.index + 1)", kind: FileWords.kindName(a.servedContentType),
                                              link: Paths.sharedFile(type: type, id: id, index: a.index))
                } : [],
                hasAttachments: share.allowsDownload && !entry.attachments.isEmpty, filesWithheld: !share.allowsDownload && !entry.attachments.isEmpty,
                scanSummary: image?.isScan == true ? (image?.summary ?? "DICOM") : nil,
                previewLink: consented && image?.photoUpload != nil ? Paths.sharedPreview(type: type, id: id) : nil,
                backLink: Paths.sharedRecord)))
        }
    }

    @Sendable func file(_ request: Request, context: AppRequestContext) async throws -> Response {
        let type = try context.parameters.require("type"), id = try context.parameters.require("id")
        switch try await open(request, context, for: .downloadRecord, target: ResourceRef(type: type, id: id)) {
        case .failure(let reason): return denied(context, reason)
        case .success(let (share, record)):
            guard let index = Int(try context.parameters.require("index")),
                  let resource = try await record.read({ try await $0.item(type: type, id: id) }), let json = try? JSONParser.parse(resource.json),
                  let attachment = RecordAttachment.all(in: json).first(where: { $0.index == index })
            else { throw HTTPError(.notFound) }
            let name = attachment.fileName(fallback: RecordEntry(resourceType: type, id: id, json: json).name)
            let images = SharedImageFile(env: env)
            var bytes: [UInt8]?
            var audited = [resource]
            var upload: PatientUpload?
            if let inline = attachment.inlineData {
                bytes = Array(inline)
            } else if let reference = attachment.binaryReference, reference.hasPrefix("Binary/") {
                let binaryID = String(reference.dropFirst("Binary/".count))
                if let binary = try await record.read({ try await $0.item(type: "Binary", id: binaryID) }), let body = try? JSONParser.parse(binary.json),
                   let data = body["data"]?.stringValue.flatMap({ Data(base64Encoded: $0, options: .ignoreUnknownCharacters) }) {
                    bytes = Array(data)
                    audited.append(binary)
                } else {
                    upload = try await record.read { try await $0.upload(id: binaryID) }
                }
            }
            // An image is known by what it declares and by its bytes (a scan or photo declared as something else is one too).
            let declared = upload.map { $0.kind.contentType } ?? attachment.contentType
            let isImage = upload.map { $0.kind.isImage || $0.kind == .dicom }
                ?? (SharedImages.isImage(contentType: declared) || bytes.map { SharedImages.sniffedImage($0) } ?? false)
            if isImage {
                do { try await images.requireConsent("\(type)/\(id)", in: record, share: share.id) } catch SharedImageFile.Refusal.noConsent {
                    return imageWithheld(context, share: share, patient: record.patient,
                                         why: "The patient has not agreed, or no longer agrees, to this image being shared, so it cannot be downloaded.")
                }
            }
            if let upload {
                record.shown([("DocumentReference", upload.documentID), ("Binary", upload.id)])
                // Uploaded photos were cleaned when they came in; an uploaded scan is de-identified now.
                guard upload.kind == .dicom else { return noStore(UploadFileResponse.make(upload, env: env)) }
            }
            if isImage {
                do {
                    let clean = try await images.inCleaningPlace {
                        let original = try await upload.asyncMap { try await images.bytes(of: $0) } ?? bytes ?? []
                        let scan = upload?.kind == .dicom || SharedImages.isScan(contentType: declared) || SharedImages.sniffedScan(original)
                        return try images.clean(original, contentType: scan ? "application/dicom" : declared, share: share)
                    }
                    bytes = clean
                } catch SharedImageFile.Refusal.busy {
                    var response = imageWithheld(context, share: share, patient: record.patient, why: "Several images are being prepared just now. Try again in a minute.")
                    response.status = .serviceUnavailable
                    return response
                } catch {
                    return imageWithheld(context, share: share, patient: record.patient,
                                         why: "This image could not be cleaned of details that identify the patient, so it cannot leave CareVault.")
                }
            }
            guard let bytes else { throw HTTPError(.notFound) }
            record.shown(audited)
            let contentType = upload?.kind.contentType ?? (SharedImages.sniffedScan(bytes) ? "application/dicom" : attachment.servedContentType)
            return noStore(Self.download(Data(bytes), type: contentType, name: upload.map { $0.kind.safeFileName(from: "scan") } ?? name))
        }
    }

    /// A shared photo as the item's page shows it (scaled by the page), while a consent covers it: a JPEG
    /// or PNG upload as cleaned when it came in, other kinds as a PNG drawn from the pixels.
    @Sendable func preview(_ request: Request, context: AppRequestContext) async throws -> Response {
        let type = try context.parameters.require("type"), id = try context.parameters.require("id")
        switch try await open(request, context, for: .readRecord, target: ResourceRef(type: type, id: id)) {
        case .failure(let reason): return denied(context, reason)
        case .success(let (share, record)):
            guard let resource = try await record.read({ try await $0.item(type: type, id: id) }),
                  let uploadID = try await record.read({ try await SharedImages.find(in: [resource], reader: $0) }).first?.photoUpload,
                  (try? await SharedImageFile(env: env).requireConsent("\(type)/\(id)", in: record, share: share.id)) != nil,
                  let upload = try await record.read({ try await $0.upload(id: uploadID) })
            else { throw HTTPError(.notFound) }
            record.shown([resource])
            // A JPEG or PNG upload was cleaned as it came in and shows as it is; other kinds as a drawn copy.
            if upload.kind.displaysInBrowsers { return noStore(UploadFileResponse.make(upload, env: env)) }
            guard let render = await UploadPreview.converter(for: upload, env: env),
                  let png = try await UploadPreviewCache(env: env).png(for: upload, render: render)
            else { throw HTTPError(.notFound) }
            return noStore(Response(status: .ok, headers: [.contentType: "image/png"], body: .init(byteBuffer: ByteBuffer(bytes: png))))
        }
    }

    private func imageWithheld(_ context: AppRequestContext, share: ShareLink, patient: Patient, why: String) -> Response {
        noStore(env.renderer.response(MessagePage(layout: layout("Image not available", context, share: share, patient: patient),
                                                  heading: "This image is not available", paragraphs: [why],
                                                  link: Link(href: Paths.sharedRecord, text: "Back to the shared records")), status: .forbidden))
    }

    @Sendable func pdf(_ request: Request, context: AppRequestContext) async throws -> Response {
        switch try await open(request, context, for: .downloadRecord, target: ResourceRef(type: "Patient", id: "shared.pdf")) {
        case .failure(let reason): return denied(context, reason)
        case .success(let (share, record)):
            let resources = try await record.read { try await SharedReads.listed($0, share: share) }
            record.shown(resources)
            let data = try SharedContent(resources).pdf(patient: record.patient, label: share.label, note: share.note, expires: share.expiresAt,
                                                        printed: Date(), zone: env.configuration.timeZone)
            return noStore(Self.download(data, type: "application/pdf", name: "shared-records.pdf"))
        }
    }

    @Sendable func fhir(_ request: Request, context: AppRequestContext) async throws -> Response {
        switch try await open(request, context, for: .downloadRecord, target: ResourceRef(type: "Patient", id: "shared.json")) {
        case .failure(let reason): return denied(context, reason)
        case .success(let (share, record)):
            let (listed, files) = try await record.read { reader in
                (try await SharedReads.listed(reader, share: share), try await SharedReads.files(reader, share: share))
            }
            record.shown(listed + files)
            let text = SharedContent.bundle(patient: record.patient, resources: listed + files, base: env.link("/fhir"))
            return noStore(Self.download(Data(text.utf8), type: "application/fhir+json", name: "shared-records.json"))
        }
    }

    @Sendable func leave(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await openings.leave(request.cookies[cookies.shareName]?.value)
        var response = env.renderer.response(MessagePage(layout: .anonymous("Closed", csrf: context.csrfToken), heading: "The shared records are closed",
                                                         paragraphs: ["To see them again, open the link and enter the code."]))
        response.setCookie(cookies.clearedShare())
        return response
    }

    private static func download(_ data: Data, type: String, name: String) -> Response {
        Response(status: .ok, headers: [.contentType: type, .contentDisposition: "attachment; filename=\"\(name)\""],
                 body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    private func noStore(_ response: Response) -> Response {
        var response = response
        response.headers[.cacheControl] = "no-store"
        return response
    }
}

extension ShareOpeningService.Refusal {
    /// Why it ended (nil: no such share).
    var reason: ShareLink.EndReason? {
        if case .ended(let why) = self { return why }
        return nil
    }
}

/// What a share's reader reads: its listed items (every one through the share's visibility) and the files they carry.
enum SharedReads {
    static func listed(_ reader: PatientRecordReader, share: ShareLink) async throws -> [StoredResource] {
        var found: [StoredResource] = []
        for reference in share.items where !reference.hasPrefix("Binary/") {
            let parts = reference.split(separator: "/", maxSplits: 1).map(String.init)
            guard parts.count == 2, let resource = try await reader.item(type: parts[0], id: parts[1]) else { continue }
            found.append(resource)
        }
        return found
    }

    static func files(_ reader: PatientRecordReader, share: ShareLink) async throws -> [StoredResource] {
        var found: [StoredResource] = []
        for reference in share.items where reference.hasPrefix("Binary/") {
            if let binary = try await reader.item(type: "Binary", id: String(reference.dropFirst(7))) { found.append(binary) }
        }
        return found
    }
}
