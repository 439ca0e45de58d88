import CareVaultCore
@testable import CareVaultServer
import CareVaultStore
import Foundation
import Testing

/// A preview is drawn once and kept, encrypted, beside the file it was drawn from.
@Suite("Kept previews")
struct PreviewCacheTests {
    /// A converter of this test's own (a path no other test uses, so its draws are counted apart) that
    /// draws as gdk-pixbuf does. Inside the sandbox it can leave no trace, so the renderer counts its draws.
    static func countingConverter(in folder: URL) throws -> String {
        let script = folder.appendingPathComponent("draw")
        try """
            #!/bin/sh
            exec \(ImagePreviewRenderer.defaultPath) "$@"
            """.write(to: script, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
        return script.path
    }

    @Test("A HEIC is drawn on its first view only; the copy is encrypted, survives start-up repair, is drawn again if lost, and is erased with the file",
          arguments: uploadStores)
    func keptCopy(kind: DatabaseKind, store: CareVaultConfiguration.BlobStoreKind) async throws {
        guard ImagePreviewTests.requireRenderer(),
              await ImagePreviewRenderer(thumbnailer: ImagePreviewRenderer.defaultPath)?.kinds().contains(.heif) == true else { return }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("carevault-draws-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let converter = try Self.countingConverter(in: folder)
        try await TestApp.run(kind, configure: { $0.blobStore = store; $0.imagePreviewCommand = converter }) { client, env in
            let browser = Browser(client)
            let (patient, upload) = try await Flows.patientWithUpload(browser, env, fileName: "rash.heic", fixture: "photo-gps.heic")
            let id = patient.id.description
            let link = Paths.uploadPreview(id, upload.id)

            // Which kinds the converter draws is learnt once, by drawing samples: that happens first.
            #expect(await env.imagePreviews?.kinds().contains(.heif) == true)
            let draws = { ImagePreviewRenderer.renderCount(of: converter) }
            let before = draws()
            #expect(before == 0)
            let first = try await browser.get(link)
            #expect(first.status == .ok && first.headers[.contentType] == "image/png")
            #expect(draws() == before + 1)
            let second = try await browser.get(link)
            #expect(second.status == .ok && second.bytes == first.bytes)
            #expect(draws() == before + 1, "the second view drew the file again")
            // Each view is still an audited read.
            #expect(try await AuditTrail.shown(env).filter { $0 == "Binary/\(upload.id)" }.count == 2)

            // Kept encrypted: no stored blob holds the PNG.
            let kept = try #require(try await env.database.read { try await UploadPreviewRepository($0).find(source: upload.blobID) })
            let stored = try await PatientUploadTests.storedBytes(env)
            #expect(stored.count == 2 && !stored.contains { Array($0.prefix(4)) == [0x89, 0x50, 0x4E, 0x47] || $0.count == first.bytes.count })

            // Start-up repair does not take the copy (an hour old) for an orphan.
            try await PatientUploadTests.age(env, blobID: kept)
            try await BlobRepair(env: env).run()
            let idsKept = Set(try await env.blobStore.allIDs())
            #expect(idsKept == [upload.blobID, kept])

            // A copy that went missing is drawn again from the original.
            try await env.blobStore.delete(id: kept)
            let redrawn = try await browser.get(link)
            #expect(redrawn.status == .ok && redrawn.bytes == first.bytes)
            #expect(draws() == before + 2)
            let replacement = try #require(try await env.database.read { try await UploadPreviewRepository($0).find(source: upload.blobID) })
            let idsAfter = Set(try await env.blobStore.allIDs())
            #expect(replacement != kept && idsAfter == [upload.blobID, replacement])

            // Deleted, then erased after the retention period: the copy goes with the file.
            _ = try await browser.post(Paths.upload(id, upload.id), ["do": "delete"])
            let admin = try await ReleaseWorkflowTests.staff(client, env, role: .admin)
            #expect(try await admin.post(Paths.uploadRetention, ["days": "0"]).location == Paths.uploadRetention + "?notice=retention-saved")
            #expect(try await env.blobStore.allIDs().isEmpty)
            #expect(try await PatientUploadTests.rowCount(env, "upload_previews") == 0)
        }
    }
}
