import CareVaultCore
import CareVaultStore
import Foundation

/// Keeps each drawn preview as an encrypted blob beside the file it was drawn from, so a HEIC, TIFF
/// or PDF is drawn once rather than on every view (up to ~1.5 s of CPU for a 12-megapixel photo).
/// Identical uploads share a stored file, and so share its copy. The copy goes when the file's bytes
/// are erased (``UploadRetention``).
struct UploadPreviewCache: Sendable {
    let env: AppEnvironment

    /// `upload`'s preview as PNG: the kept copy, or one drawn now by `render` and kept; nil where
    /// `render` cannot draw one (nothing is kept then, so a converter fixed later gets its chance).
    func png(for upload: PatientUpload, render: UploadPreview.Converter) async throws -> [UInt8]? {
        let kept = try await env.database.read { try await UploadPreviewRepository($0).find(source: upload.blobID) }
        if let kept {
            do {
                return try await plaintext(of: kept)
            } catch {
                // A copy that is missing or does not authenticate is drawn again from the original, which
                // is checked as it is read.
                env.logger.warning("a kept preview could not be read; drawing it again", metadata: ["error": "\(type(of: error))"])
                _ = try await env.database.write { try await UploadPreviewRepository($0).remove(source: upload.blobID) }
                try? await env.blobStore.delete(id: kept)
            }
        }
        guard let png = try await render({ try await plaintext(of: upload.blobID) }) else { return nil }
        do {
            try await keep(png, drawnFrom: upload.blobID)
        } catch {
            env.logger.warning("a drawn preview could not be kept", metadata: ["error": "\(type(of: error))"])
        }
        return png
    }

    /// Erases the copy drawn from `source`, if there is one.
    func erase(drawnFrom source: String) async throws {
        if let preview = try await env.database.write({ try await UploadPreviewRepository($0).remove(source: source) }) {
            try await env.blobStore.delete(id: preview)
        }
    }

    private func keep(_ png: [UInt8], drawnFrom source: String) async throws {
        let id = UUID().uuidString.lowercased()
        var encryptor = try BlobEncryptor(masterKey: env.masterKey, blobID: id)
        let writer = try await env.blobStore.create(id: id)
        do {
            try await writer.write(try encryptor.update(png))
            try await writer.write(try encryptor.finish().bytes)
            try await writer.commit()
        } catch {
            await writer.abort()
            throw error
        }
        let recorded = try? await env.database.write { try await UploadPreviewRepository($0).insert(source: source, preview: id, at: Date()) }
        // Another view drew the same file at the same time and kept its copy first.
        if recorded != true { try? await env.blobStore.delete(id: id) }
    }

    /// An upload's decrypted bytes, whole.
    func plaintext(of blobID: String) async throws -> [UInt8] {
        var decryptor = BlobDecryptor(masterKey: env.masterKey, blobID: blobID)
        var bytes: [UInt8] = []
        try await env.blobStore.read(id: blobID) { bytes += try decryptor.update($0) }
        return bytes + (try decryptor.finish())
    }
}
