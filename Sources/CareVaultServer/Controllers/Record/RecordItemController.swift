import CareVaultCore
import CareVaultStore
import Foundation
import Hummingbird

/// One record item on its own page, and its original files as downloads. A resource of another
/// patient, or one the patient may not see yet, answers 404 like an unknown id.
struct RecordItemController: Sendable {
    let env: AppEnvironment

    func addRoutes(to router: Router<AppRequestContext>) {
        let group = router.group(context: SignedInRequestContext.self)
        group.get("/patients/:patient/items/:type/:id", use: show)
        group.get("/patients/:patient/items/:type/:id/files/:index", use: file)
    }

    /// The resource, after the policy's permit, if it is in this patient's record, listed, and visible to this reader.
    private func load(_ context: SignedInRequestContext, action: Action) async throws -> (PatientRecord, StoredResource) {
        let type = try context.parameters.require("type"), id = try context.parameters.require("id")
        let record = try await env.records.open(try context.parameters.require("patient"), for: action, context: context,
                                                target: ResourceRef(type: type, id: id))
        guard let resource = try await record.read({ try await $0.item(type: type, id: id) }), resource.section != nil else {
            throw HTTPError(.notFound)
        }
        return (record, resource)
    }

    @Sendable func show(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        let (record, resource) = try await load(context, action: .readRecord)
        guard let json = try? JSONParser.parse(resource.json) else { throw HTTPError(.notFound) }
        let entry = RecordEntry(resourceType: resource.resourceType, id: resource.id, json: json)
        let (patient, scope, now) = (record.patient, record.scope, record.now)
        record.shown([resource])
        if resource.openedAt == nil { try await record.markOpened([(resource.resourceType, resource.id)]) }
        let section = resource.section ?? .documents
        let origin = RecordOrigin(source: resource.source)
        let review = origin.isPatientProvided
            ? try await record.read { try await $0.review(resourceType: resource.resourceType, id: resource.id) }
            : nil
        let proxyNames = origin.proxyAccount != nil ? try await record.read { try await $0.proxyNames() } : [:]
        let elsewhere = RecordAttachment.external(in: json)
        let visitID = entry.encounterReference.flatMap { $0.hasPrefix("Encounter/") ? String($0.dropFirst(10)) : nil }
        return env.renderer.response(RecordItemPage(
            layout: context.layout(entry.name, request: request), patientName: patient.fullName,
            sectionTitle: section.title, sectionLink: Paths.recordSection(scope, section), name: entry.name,
            kind: RecordItem(resourceType: resource.resourceType, id: resource.id, json: json).kind,
            date: entry.date.map(PlainDate.day) ?? "Not recorded", status: entry.status, details: entry.details,
            attachments: entry.attachments.map { a in
                RecordItemPage.Attachment(title: a.title ?? "file \(a.index + 1)", kind: FileWords.kindName(a.servedContentType),
                                          size: a.size.map { FileWords.size(Int64($0)) } ?? "",
                                          link: Paths.attachment(scope, type: resource.resourceType, id: resource.id, index: a.index))
            },
            hasAttachments: !entry.attachments.isEmpty,
            externalFiles: elsewhere, hasExternalFiles: !elsewhere.isEmpty, source: origin.text(toPatient: record.isOwn, patientName: patient.fullName, proxyNames: proxyNames), review: review.map { ReviewWords.status($0, zone: env.configuration.timeZone) },
            lastUpdated: PlainDate.instant(resource.lastUpdated, in: env.configuration.timeZone), version: String(resource.versionID),
            visitLink: visitID.map { Paths.visit(scope, $0) }, fhirLink: Paths.fhirResource(type: resource.resourceType, id: resource.id),
            isHeld: !resource.isReleased(at: now),
            shareLink: record.allows(.shareRecord) ? Paths.newShare(scope) + "?item=" + Paths.queryValue("\(resource.resourceType)/\(resource.id)") : nil))
    }

    /// The original bytes of an attachment (inline or in a Binary of the same record), with a safe type and name.
    @Sendable func file(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        let (record, resource) = try await load(context, action: .downloadRecord)
        guard let index = Int(try context.parameters.require("index")), let json = try? JSONParser.parse(resource.json),
              let attachment = RecordAttachment.all(in: json).first(where: { $0.index == index })
        else { throw HTTPError(.notFound) }
        var audited = [resource]
        var bytes = attachment.inlineData
        if bytes == nil, let reference = attachment.binaryReference {
            let binaryID = String(reference.dropFirst("Binary/".count))
            if let binary = try await record.read({ try await $0.item(type: "Binary", id: binaryID) }), let body = try? JSONParser.parse(binary.json) {
                bytes = body["data"]?.stringValue.flatMap { Data(base64Encoded: $0, options: .ignoreUnknownCharacters) }
                audited.append(binary)
            }
        }
        if bytes == nil, let reference = attachment.binaryReference {
            // A patient's upload: its bytes are in the encrypted vault, which streams them (and audits the download).
            let uploadID = String(reference.dropFirst("Binary/".count))
            if try await record.read({ try await $0.upload(id: uploadID) }) != nil {
                return Response(status: .seeOther, headers: [.location: Paths.uploadFile(record.scope, uploadID)])
            }
        }
        guard let bytes else { throw HTTPError(.notFound) }
        record.shown(audited)
        let name = attachment.fileName(fallback: RecordEntry(resourceType: resource.resourceType, id: resource.id, json: json).name)
        return Response(status: .ok, headers: [
            .contentType: attachment.servedContentType,
            .contentDisposition: "attachment; filename=\"\(name)\"",
        ], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

}
