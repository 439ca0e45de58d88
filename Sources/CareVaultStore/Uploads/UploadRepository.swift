import CareVaultCore
import Foundation
import SQLKit

/// A file a patient (or someone for them) put in their vault.
public struct PatientUpload: Sendable {
    public let id: String
    public let patient: PatientID
    public let blobID: String
    public let kind: UploadKind
    /// The name it was uploaded with.
    public let fileName: String
    public let title: String
    public let category: UploadCategory
    /// The date of service the patient gave (YYYY-MM-DD), if any.
    public let serviceDate: String?
    public let size: Int64
    /// Identifying metadata removed from an image before it was stored ("EXIF", "XMP", …).
    public let removedMetadata: [String]
    /// A DICOM file's header summary, as read at upload.
    public let dicomHeader: DICOMHeader?
    /// Keyed hash of the content: recognizes the same file again without revealing it.
    public let contentHash: String
    /// The DocumentReference that puts it in the record.
    public let documentID: String
    public let uploadedBy: AccountID?
    public let createdAt: Date
    public let deletedAt: Date?

    public init(id: String, patient: PatientID, blobID: String, kind: UploadKind, fileName: String, title: String, category: UploadCategory,
                serviceDate: String?, size: Int64, removedMetadata: [String] = [], dicomHeader: DICOMHeader? = nil, contentHash: String, documentID: String, uploadedBy: AccountID?, createdAt: Date,
                deletedAt: Date? = nil) {
        self.id = id
        self.patient = patient
        self.blobID = blobID
        self.kind = kind
        self.fileName = fileName
        self.title = title
        self.category = category
        self.serviceDate = serviceDate
        self.size = size
        self.removedMetadata = removedMetadata
        self.dicomHeader = dicomHeader
        self.contentHash = contentHash
        self.documentID = documentID
        self.uploadedBy = uploadedBy
        self.createdAt = createdAt
        self.deletedAt = deletedAt
    }
}

/// The `uploads` table.
public struct UploadRepository: Sendable {
    private let sql: any SQLDatabase

    public init(_ sql: any SQLDatabase) { self.sql = sql }

    public func insert(_ upload: PatientUpload) async throws {
        try await sql.raw("""
            INSERT INTO uploads (id, patient_id, blob_id, kind, file_name, title, category, service_date, size, removed_metadata, dicom_header, content_hash,
                document_id, uploaded_by, created_at)
            VALUES (\(bind: upload.id), \(bind: upload.patient.description), \(bind: upload.blobID), \(bind: upload.kind.rawValue),
                \(bind: upload.fileName), \(bind: upload.title), \(bind: upload.category.rawValue), \(bind: upload.serviceDate),
                \(bind: upload.size), \(bind: upload.removedMetadata.joined(separator: ",")),
                \(bind: upload.dicomHeader.flatMap { try? String(decoding: JSONEncoder().encode($0), as: UTF8.self) }), \(bind: upload.contentHash), \(bind: upload.documentID), \(bind: upload.uploadedBy?.description),
                \(bind: Clock.milliseconds(upload.createdAt)))
            """).run()
    }

    /// One of the patient's uploads whose DocumentReference `visibility` allows (deleted ones are as
    /// absent as unknown ids).
    public func find(id: String, patient: PatientID, visibility: RecordVisibility) async throws -> PatientUpload? {
        try await sql.raw("""
            SELECT * FROM uploads WHERE id = \(bind: id) AND patient_id = \(bind: patient.description) AND deleted_at IS NULL
            \(Self.visible(visibility))
            """).first().map(Self.upload)
    }

    /// The condition that an upload's DocumentReference is visible: uploads are what their
    /// DocumentReference is, for every rule of a reader's visibility.
    static func visible(_ visibility: RecordVisibility) -> SQLQueryString {
        "AND EXISTS (SELECT 1 FROM fhir_resources r WHERE r.resource_type = 'DocumentReference' AND r.id = uploads.document_id AND r.patient_scope = uploads.patient_id\(visibility.sqlConditions(alias: "r")))"
    }

    /// The upload behind a DocumentReference of the patient's record (deleted ones too).
    public func find(documentID: String, patient: PatientID) async throws -> PatientUpload? {
        try await sql.raw("""
            SELECT * FROM uploads WHERE document_id = \(bind: documentID) AND patient_id = \(bind: patient.description)
            """).first().map(Self.upload)
    }

    /// The patient's live upload of the same content, if any.
    public func find(contentHash: String, patient: PatientID) async throws -> PatientUpload? {
        try await sql.raw("""
            SELECT * FROM uploads WHERE content_hash = \(bind: contentHash) AND patient_id = \(bind: patient.description) AND deleted_at IS NULL
            """).first().map(Self.upload)
    }

    /// The patient's uploads whose DocumentReference `visibility` allows, newest first.
    public func list(patient: PatientID, visibility: RecordVisibility, limit: Int, offset: Int) async throws -> [PatientUpload] {
        try await sql.raw("""
            SELECT * FROM uploads WHERE patient_id = \(bind: patient.description) AND deleted_at IS NULL \(Self.visible(visibility))
            ORDER BY created_at DESC, id LIMIT \(bind: limit) OFFSET \(bind: offset)
            """).all().map(Self.upload)
    }

    /// Every blob id an upload row still refers to (deleted rows too, until their bytes are erased).
    public func referencedBlobIDs() async throws -> Set<String> {
        Set(try await sql.raw("SELECT blob_id FROM uploads WHERE erased_at IS NULL").all().map { try $0.decode(column: "blob_id", as: String.self) })
    }

    /// Renames or re-categorizes one of the patient's live uploads; false if there is no such upload.
    public func update(id: String, patient: PatientID, title: String, category: UploadCategory) async throws -> Bool {
        try await !sql.raw("""
            UPDATE uploads SET title = \(bind: title), category = \(bind: category.rawValue)
            WHERE id = \(bind: id) AND patient_id = \(bind: patient.description) AND deleted_at IS NULL RETURNING id
            """).all().isEmpty
    }

    /// Marks an upload deleted (the row stays for the audit; the bytes stay until the retention period ends).
    public func markDeleted(id: String, patient: PatientID, at time: Date) async throws -> Bool {
        try await !sql.raw("""
            UPDATE uploads SET deleted_at = \(bind: Clock.milliseconds(time))
            WHERE id = \(bind: id) AND patient_id = \(bind: patient.description) AND deleted_at IS NULL RETURNING id
            """).all().isEmpty
    }

    /// Deleted uploads whose bytes are still kept although they were deleted before `cutoff`.
    public func dueForErasure(deletedBefore cutoff: Date, limit: Int = 500) async throws -> [PatientUpload] {
        try await sql.raw("""
            SELECT * FROM uploads WHERE deleted_at IS NOT NULL AND deleted_at <= \(bind: Clock.milliseconds(cutoff)) AND erased_at IS NULL
            ORDER BY deleted_at LIMIT \(bind: limit)
            """).all().map(Self.upload)
    }

    /// Whether another upload row still needs the bytes of `blobID`.
    public func isBlobUsed(_ blobID: String, byOtherThan uploadID: String) async throws -> Bool {
        try await sql.raw("""
            SELECT 1 AS n FROM uploads WHERE blob_id = \(bind: blobID) AND id <> \(bind: uploadID) AND erased_at IS NULL
            """).first() != nil
    }

    /// Records that an upload's bytes are gone.
    public func markErased(id: String, at time: Date) async throws {
        try await sql.raw("UPDATE uploads SET erased_at = \(bind: Clock.milliseconds(time)) WHERE id = \(bind: id)").run()
    }

    static func upload(_ row: any SQLRow) throws -> PatientUpload {
        guard let kind = UploadKind(rawValue: try row.string("kind")), let category = UploadCategory(rawValue: try row.string("category")) else {
            throw DatabaseError.unexpectedResult("upload row")
        }
        return PatientUpload(
            id: try row.string("id"), patient: try row.id("patient_id"), blobID: try row.string("blob_id"), kind: kind,
            fileName: try row.string("file_name"), title: try row.string("title"), category: category,
            serviceDate: try row.optionalString("service_date"), size: try row.decode(column: "size", as: Int64.self),
            removedMetadata: try row.string("removed_metadata").split(separator: ",").map(String.init),
            dicomHeader: try row.optionalString("dicom_header").flatMap { try? JSONDecoder().decode(DICOMHeader.self, from: Data($0.utf8)) },
            contentHash: try row.string("content_hash"), documentID: try row.string("document_id"),
            uploadedBy: try row.optionalID("uploaded_by"), createdAt: try row.date("created_at"), deletedAt: try row.optionalDate("deleted_at"))
    }
}
