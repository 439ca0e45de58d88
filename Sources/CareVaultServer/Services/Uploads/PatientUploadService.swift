import CareVaultCore
import CareVaultStore
import Crypto
import Foundation

/// Puts files received into the vault into the patient's record: one upload row, and a FHIR
/// DocumentReference pointing at a Binary (whose bytes stay encrypted in the blob store), with a
/// Provenance saying who provided it. All in one transaction per file; if that fails the blob is
/// removed, so no stored bytes are left without a row.
struct PatientUploadService: Sendable {
    let env: AppEnvironment

    /// What an upload request ended with.
    struct Outcome: Sendable {
        var stored: [PatientUpload] = []
        /// Files the patient had already uploaded (stored once; the new copy was dropped).
        var alreadyThere: [(fileName: String, existing: PatientUpload)] = []
    }

    /// The details the form gives for the files it carries.
    struct Details: Sendable {
        let title: String
        let category: UploadCategory
        let serviceDate: String?
    }

    func record(_ files: [MultipartFormReceiver.ReceivedFile<VaultedFile>], details: Details, into record: PatientRecord, by account: Account,
                info: RequestInfo) async throws -> Outcome {
        let (patient, basis) = (record.patient, record.basis)
        var outcome = Outcome()
        for (i, file) in files.enumerated() {
            let hash = contentHash(patient: patient.id, sha256: file.stored.sha256)
            do {
                let result = try await record.write { writer -> (upload: PatientUpload, isNew: Bool) in
                    if let existing = try await writer.upload(contentHash: hash) { return (existing, false) }
                    let title = details.title.isEmpty ? Self.titleFromName(file.fileName) : (files.count > 1 ? "\(details.title) (\(i + 1))" : details.title)
                    let upload = PatientUpload(
                        id: UUID().uuidString.lowercased(), patient: patient.id, blobID: file.stored.blobID, kind: file.stored.kind,
                        fileName: file.fileName, title: title, category: details.category, serviceDate: details.serviceDate,
                        size: Int64(file.stored.size), removedMetadata: file.stored.removedMetadata,
                        dicomHeader: file.stored.dicom, contentHash: hash, documentID: UUID().uuidString.lowercased(),
                        uploadedBy: account.id, createdAt: Date())
                    try await writer.insert(try Self.resources(for: upload, account: account, basis: basis))
                    try await writer.insert(upload: upload)
                    try await writer.insert(reviews: [ReviewItem(
                        patient: patient.id, resourceType: "DocumentReference", resourceID: upload.documentID, kind: .upload, queued: true,
                        submittedBy: account.id, submittedAt: upload.createdAt)])
                    try await writer.audit([AuditEvent(.recordUploaded, info: info, actor: account, patient: patient.id,
                                                       resourceType: "DocumentReference", resourceID: upload.documentID, basis: basis.description)])
                    return (upload, true)
                }
                if result.isNew {
                    outcome.stored.append(result.upload)
                } else {
                    outcome.alreadyThere.append((file.fileName, result.upload))
                    try? await env.blobStore.delete(id: file.stored.blobID)
                }
            } catch {
                // This file and every one not yet recorded: no blob may outlive the request without a row.
                for rest in files[i...] { try? await env.blobStore.delete(id: rest.stored.blobID) }
                throw error
            }
        }
        return outcome
    }

    /// Recognizes the same file for the same patient again without storing a plain hash of it.
    func contentHash(patient: PatientID, sha256: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data("\(patient):\(sha256)".utf8), using: env.masterKey.derivedKey(purpose: "upload-content"))
        return mac.hexString
    }

    static func titleFromName(_ name: String) -> String {
        let base = name.split(separator: ".").dropLast().joined(separator: ".")
        return String((base.isEmpty ? name : base).prefix(200))
    }

    /// DocumentReference, Binary and Provenance for an upload, as the record keeps them.
    static func resources(for upload: PatientUpload, account: Account, basis: Basis) throws -> [FHIRResourceRepository.NewResource] {
        let now = upload.createdAt
        let stamp = now.formatted(.iso8601)
        let scope = upload.patient.description
        let patientRef = JSONValue.object([("reference", .string("Patient/\(scope)"))])
        let binaryID = upload.id
        var context: [(key: String, value: JSONValue)] = []
        if let date = upload.serviceDate { context.append(("period", .object([("start", .string(date))]))) }
        var document: [(key: String, value: JSONValue)] = [
            ("resourceType", .string("DocumentReference")),
            ("id", .string(upload.documentID)),
            ("meta", .object([("versionId", .string("1")), ("lastUpdated", .string(stamp))])),
            ("status", .string("current")),
            ("type", .object([("text", .string(upload.category.title))])),
            ("category", categoryJSON(upload.category)),
            ("subject", patientRef),
            ("date", .string(stamp)),
            ("author", .array([patientRef])),
            ("description", .string(upload.title)),
            ("content", .array([.object([("attachment", .object([
                ("contentType", .string(upload.kind.contentType)),
                ("url", .string("Binary/\(binaryID)")),
                ("size", .number(String(upload.size))),
                ("title", .string(upload.fileName)),
                ("creation", .string(stamp)),
            ]))])])),
        ]
        if !context.isEmpty { document.append(("context", .object(context))) }
        let binary: JSONValue = .object([
            ("resourceType", .string("Binary")), ("id", .string(binaryID)),
            ("meta", .object([("versionId", .string("1")), ("lastUpdated", .string(stamp))])),
            ("contentType", .string(upload.kind.contentType)),
            ("securityContext", .object([("reference", .string("DocumentReference/\(upload.documentID)"))])),
        ])
        let provenance = ProvenanceRecord(targets: ["DocumentReference/\(upload.documentID)", "Binary/\(binaryID)"], recorded: now,
                                          activity: .uploaded,
                                          agent: basis == .ownRecord ? .patient(upload.patient) : .proxy(displayName: account.displayName))
        let source = ContributionService.source(account: account, basis: basis)
        return try [(JSONValue.object(document), "DocumentReference", upload.documentID), (binary, "Binary", binaryID),
                    (provenance.json, "Provenance", provenance.id)].map { json, type, id in
            FHIRResourceRepository.NewResource(
                StoredResource(resourceType: type, id: id, patient: upload.patient, matchKey: "upload:\(type):\(id)", versionID: 1,
                               lastUpdated: now, source: source, json: json.jsonText),
                index: try FHIRIndexFields.read(json), availableAt: Clock.milliseconds(now),
                // Not "new" to the patient who uploaded it; what someone else uploads for them is.
                openedAt: account.patient == upload.patient ? Clock.milliseconds(now) : nil)
        }
    }

    /// A DocumentReference's `category` for an upload filed as `category`.
    static func categoryJSON(_ category: UploadCategory) -> JSONValue {
        .array([.object([
            ("coding", .array([.object([("system", .string("urn:carevault:upload-category")), ("code", .string(category.rawValue)),
                                        ("display", .string(category.title))])])),
            ("text", .string("Uploaded by the patient")),
        ])])
    }
}
