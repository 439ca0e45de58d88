import CareVaultStore
import Foundation

/// Start-up preparation and repair of the blob store after a crash: parts of writes that never finished are removed,
/// and so are whole blobs that no upload row refers to (the server stopped between storing the bytes
/// and recording them). A blob younger than an hour is left alone: another app server sharing the
/// database store may be recording it right now.
struct BlobRepair: Sendable {
    let env: AppEnvironment

    func run() async throws {
        let store = env.blobStore
        try await store.prepare()
        try await store.removeIncomplete()
        let referenced = try await env.database.read { sql in
            try await UploadRepository(sql).referencedBlobIDs().union(try await UploadPreviewRepository(sql).previewBlobIDs())
        }
        let cutoff = Date().addingTimeInterval(-3600)
        var removed = 0
        for id in try await store.allIDs() where !referenced.contains(id) {
            guard try await store.createdAt(id: id).map({ $0 < cutoff }) ?? true else { continue }
            try await store.delete(id: id)
            removed += 1
        }
        if removed > 0 { env.logger.notice("removed stored files that no upload refers to", metadata: ["count": "\(removed)"]) }
    }
}
