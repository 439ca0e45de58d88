import CareVaultCore
import CareVaultStore
import Foundation

/// Renaming, re-filing and deleting one of the patient's uploads. A change updates the upload's
/// DocumentReference as a new version; deleting marks it entered-in-error, withdraws it from review
/// and keeps the row for the audit (the bytes are erased later by ``UploadRetention``). Each is one
/// transaction through the record's door, audited.
struct UploadChangeService: Sendable {
    /// Saves the new title and kind; a file the care team returned goes back to them with the change.
    func rename(_ upload: PatientUpload, title: String, category: UploadCategory, review: ReviewItem?, in record: PatientRecord,
                by account: Account, info: RequestInfo) async throws {
        let (patient, basis) = (record.patient.id, record.basis)
        try await record.write { writer in
            guard try await writer.update(upload: upload.id, title: title, category: category) else { return }
            if let review, review.status == .returned {
                _ = try await writer.move(review, to: .submitted, comment: review.comment, reviewer: nil, at: Date())
            }
            try await Self.updateDocument(upload, with: writer) { json in
                json.set("description", .string(title))
                json.set("type", .object([("text", .string(category.title))]))
                json.set("category", PatientUploadService.categoryJSON(category))
            }
            try await writer.audit([AuditEvent(.uploadChanged, info: info, actor: account, patient: patient,
                                               resourceType: "DocumentReference", resourceID: upload.documentID, basis: basis.description)])
        }
    }

    /// Deletes the upload (its review, if still open, is withdrawn).
    func delete(_ upload: PatientUpload, review: ReviewItem?, in record: PatientRecord, by account: Account, info: RequestInfo) async throws {
        let (patient, basis) = (record.patient.id, record.basis)
        try await record.write { writer in
            guard try await writer.markDeleted(upload: upload.id, at: Date()) else { return }
            try await Self.updateDocument(upload, with: writer) { $0.set("status", .string("entered-in-error")) }
            if let review, review.status.canMove(to: .withdrawn) {
                _ = try await writer.move(review, to: .withdrawn, comment: nil, reviewer: nil, at: Date())
            }
            try await writer.audit([AuditEvent(.uploadDeleted, info: info, actor: account, patient: patient,
                                               resourceType: "DocumentReference", resourceID: upload.documentID, basis: basis.description)])
        }
    }

    /// Writes the upload's DocumentReference again, changed by `change`, as a new version.
    private static func updateDocument(_ upload: PatientUpload, with writer: PatientRecordWriter,
                                       _ change: (inout JSONValue) -> Void) async throws {
        guard let stored = try await writer.current(type: "DocumentReference", id: upload.documentID),
              var json = try? JSONParser.parse(stored.json) else { return }
        change(&json)
        try await writer.saveNextVersion(of: stored, json, at: Date())
    }
}
