import CareVaultCore
@testable import CareVaultServer
import CareVaultStore
import Foundation
import HummingbirdTesting
import Testing

/// A disk that fills up: the blob folder is a small tmpfs of its own, so uploads meet a real ENOSPC.
@Suite("Out of storage space")
struct StorageFullTests {
    /// Mounting needs the right to (root, as in CI); without it this suite cannot make a disk fill up.
    static let canMount: Bool = {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("carevault-mount-probe-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        guard (try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)) != nil,
              (try? Command.check("/bin/mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", folder.path])) != nil
        else { return false }
        return (try? Command.check("/bin/umount", [folder.path])) != nil
    }()

    @Test("An upload that fills the disk answers 507 in plain words, keeps no row or partial file, tells the operator, and the next file that fits is stored",
          .enabled(if: canMount), arguments: testDatabases)
    func uploadFillsTheDisk(kind: DatabaseKind) async throws {
        let configuration = try await TestApp.configuration(kind)
        let blobs = configuration.dataDirectory.appendingPathComponent("blobs", isDirectory: true)
        try FileManager.default.createDirectory(at: blobs, withIntermediateDirectories: true)
        try Command.check("/bin/mount", ["-t", "tmpfs", "-o", "size=2m,mode=0700", "tmpfs", blobs.path])
        defer {
            _ = try? Command.check("/bin/umount", [blobs.path])
            try? FileManager.default.removeItem(at: configuration.dataDirectory)
        }
        let log = LogCapture()
        let env = try await makeEnvironment(configuration: configuration, logger: log.logger)
        try await buildApplication(environment: env).test(.live) { client in
            let browser = Browser(client)
            let (patient, _) = try await Flows.signedInPatient(browser, env)
            let uploads = Paths.uploads(patient.id.description)
            _ = try await browser.get(uploads)
            let tooBig = Array("%PDF-1.7\n".utf8) + (0..<(3 << 20)).map { _ in UInt8.random(in: 0...255) }

            let page = try await browser.postMultipart(uploads, files: [.init(name: "scan.pdf", bytes: tooBig)])
            #expect(page.status.code == 507)
            #expect(page.body.contains("The server is out of storage space"))
            #expect(page.body.contains("nothing was saved"))
            #expect(log.text.contains("critical Out of storage space"))
            #expect(!log.text.contains("scan.pdf"))

            browser.accept = "application/json"
            let api = try await browser.postMultipart(uploads, files: [.init(name: "scan.pdf", bytes: tooBig)])
            #expect(api.status.code == 507)
            #expect(api.headers[.contentType] == "application/problem+json")
            #expect(api.body.contains(#""status":507"#))
            browser.accept = nil

            #expect(try await PatientUploadTests.rowCount(env, "uploads") == 0)
            #expect(try await env.blobStore.allIDs().isEmpty)
            let leftovers = FileManager.default.enumerator(at: blobs, includingPropertiesForKeys: [.isRegularFileKey])?
                .compactMap { $0 as? URL }.filter { (try? $0.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true } ?? []
            #expect(leftovers.isEmpty, "\(leftovers)")

            let fits = try await browser.postMultipart(uploads, files: [.init(name: "note.pdf", bytes: try PatientUploadTests.fixture("crazyones.pdf"))])
            #expect(fits.status == .ok)
            #expect(try await PatientUploadTests.rowCount(env, "uploads") == 1)
        }
    }
}
