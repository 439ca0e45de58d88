import CareVaultCore
import Foundation
import SQLKit

/// Which blob holds the viewable copy (PNG) drawn from a stored file. Keyed by the stored file's
/// blob, since identical uploads share one.
public struct UploadPreviewRepository: Sendable {
    let sql: any SQLDatabase

    public init(_ sql: any SQLDatabase) { self.sql = sql }

    /// The copy's blob id, if one was drawn.
    public func find(source: String) async throws -> String? {
        try await sql.raw("SELECT preview_blob_id FROM upload_previews WHERE source_blob_id = \(bind: source)")
            .first()?.decode(column: "preview_blob_id", as: String.self)
    }

    /// Records a copy just stored; false if another request recorded one for the same file first.
    public func insert(source: String, preview: String, at time: Date) async throws -> Bool {
        try await sql.raw("""
            INSERT INTO upload_previews (source_blob_id, preview_blob_id, created_at)
            VALUES (\(bind: source), \(bind: preview), \(bind: Clock.milliseconds(time)))
            ON CONFLICT (source_blob_id) DO NOTHING RETURNING preview_blob_id
            """).first() != nil
    }

    /// Forgets the copy of `source`; returns its blob id, for the caller to delete.
    public func remove(source: String) async throws -> String? {
        try await sql.raw("DELETE FROM upload_previews WHERE source_blob_id = \(bind: source) RETURNING preview_blob_id")
            .first()?.decode(column: "preview_blob_id", as: String.self)
    }

    /// Every copy's blob id (so start-up repair does not take them for orphans).
    public func previewBlobIDs() async throws -> Set<String> {
        Set(try await sql.raw("SELECT preview_blob_id FROM upload_previews").all().map { try $0.decode(column: "preview_blob_id", as: String.self) })
    }
}
