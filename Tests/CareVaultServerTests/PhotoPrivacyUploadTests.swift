import CareVaultCore
@testable import CareVaultServer
import CareVaultStore
import Foundation
import Testing

/// HEIC and TIFF photos go through the encrypted spool and the offset-aware scrubbers; what is
/// stored and served has none of the identifying details (exiftool checks the same files in depth
/// in the core tests).
@Suite("Photo privacy on upload (HEIC, TIFF)")
struct PhotoPrivacyUploadTests {
    static let secrets = ["Test Patient Jane Doe", "Jane Doe XMP", "TestCam", "SN12345", "Test City"]

    /// Spool files in the data folder's `tmp` (each is unlinked as soon as it is opened, so none should ever be seen).
    static func spoolFiles(_ env: AppEnvironment) -> [String] {
        let folder = env.configuration.temporaryDirectory.path
        return ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasPrefix("carevault-spool-") }
    }

    @Test("A HEIC photo, a two-page TIFF scan and a PNG are stored without EXIF, GPS, XMP or IPTC; the page says so", arguments: uploadStores)
    func cleaned(kind: DatabaseKind, store: CareVaultConfiguration.BlobStoreKind) async throws {
        try await PatientUploadTests.run(kind, store) { browser, env, patient in
            let heic = try PatientUploadTests.fixture("photo-gps.heic"), tiff = try PatientUploadTests.fixture("scan-gps.tif")
            let png = try PatientUploadTests.fixture("pillow_exif.png")
            #expect(heic.firstRange(of: Array("Jane Doe".utf8)) != nil && tiff.firstRange(of: Array("Test City".utf8)) != nil)
            let page = try await browser.postMultipart(Paths.uploads(patient.id.description), fields: [("category", "photo")], files: [
                .init(name: "rash.heic", type: "image/heic", bytes: heic), .init(name: "scan.tif", type: "image/tiff", bytes: tiff),
                .init(name: "chart.png", type: "image/png", bytes: png)])
            #expect(page.status == .ok, "\(page.body)")
            #expect(page.body.contains("Hidden details that could identify you or where it was taken (EXIF, XMP) were removed"))
            #expect(page.body.contains("Hidden details that could identify you or where it was taken (EXIF, GPS, IPTC, XMP) were removed"))
            let uploads = try await env.database.read { try await UploadRepository($0).list(patient: patient.id, visibility: .wholeRecord, limit: 10, offset: 0) }
            #expect(Set(uploads.map(\.kind)) == [.heif, .tiff, .png])
            #expect(page.body.contains("chart.png was added") && uploads.first { $0.kind == .png }?.removedMetadata.contains("EXIF") == true)
            for upload in uploads where upload.kind != .png {
                let file = try await browser.get(Paths.uploadFile(patient.id.description, upload.id))
                #expect(file.status == .ok)
                let original = upload.kind == .heif ? heic : tiff
                #expect(file.bytes.count == original.count && file.bytes.prefix(8) == original.prefix(8))
                for secret in Self.secrets { #expect(file.bytes.firstRange(of: Array(secret.utf8)) == nil, "\(secret) left in \(upload.fileName)") }
            }
            #expect(Self.spoolFiles(env).isEmpty, "a spool file was left behind")
        }
    }

    @Test("A TIFF whose directory points past its end is refused as unreadable; nothing is stored", arguments: uploadStores)
    func unreadable(kind: DatabaseKind, store: CareVaultConfiguration.BlobStoreKind) async throws {
        try await PatientUploadTests.run(kind, store) { browser, env, patient in
            var broken = try PatientUploadTests.fixture("scan-gps.tif")
            broken.replaceSubrange(4..<8, with: [0, 0, 0, 0x10])  // IFD0 at 256 MiB
            let page = try await browser.postMultipart(Paths.uploads(patient.id.description), files: [
                .init(name: "scan.tif", type: "image/tiff", bytes: broken)])
            #expect(page.status == .unprocessableContent)
            #expect(page.body.contains("scan.tif is not a readable image"))
            #expect(try await PatientUploadTests.storedBytes(env).isEmpty)
            #expect(try await PatientUploadTests.rowCount(env, "uploads") == 0)
            #expect(Self.spoolFiles(env).isEmpty)
        }
    }
}
