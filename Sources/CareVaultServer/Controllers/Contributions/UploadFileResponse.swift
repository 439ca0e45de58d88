import CareVaultCore
import CareVaultStore
import Hummingbird

/// An upload's original bytes, decrypted from the vault as they stream out, with a safe type and
/// name. (The caller opened the record and named the upload for the request's audit event.)
enum UploadFileResponse {
    static func make(_ upload: PatientUpload, env: AppEnvironment) -> Response {
        let store = env.blobStore, masterKey = env.masterKey, logger = env.logger
        let body = ResponseBody(contentLength: Int(upload.size)) { writer in
            var decryptor = BlobDecryptor(masterKey: masterKey, blobID: upload.blobID)
            do {
                try await store.read(id: upload.blobID) { sealed in
                    let plain = try decryptor.update(sealed)
                    if !plain.isEmpty { try await writer.write(ByteBuffer(bytes: plain)) }
                }
                let last = try decryptor.finish()
                if !last.isEmpty { try await writer.write(ByteBuffer(bytes: last)) }
                try await writer.finish(nil)
            } catch {
                logger.error("stored upload failed its integrity check", metadata: ["upload": "\(upload.id)", "error": "\(error)"])
                throw error
            }
        }
        let disposition = upload.kind.isImage || upload.kind == .pdf ? "inline" : "attachment"
        return Response(status: .ok, headers: [
            .contentType: upload.kind.contentType,
            .contentDisposition: "\(disposition); filename=\"\(upload.kind.safeFileName(from: upload.fileName))\"",
        ], body: body)
    }
}
