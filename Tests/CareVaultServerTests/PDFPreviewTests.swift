import CareVaultCore
@testable import CareVaultServer
import CareVaultStore
import Foundation
import Testing

/// First-page previews of uploaded PDFs, drawn by poppler's pdftoppm in its sandbox.
@Suite("PDF previews")
struct PDFPreviewTests {
    /// Width and height from a PNG's IHDR chunk.
    static func pngSize(_ bytes: [UInt8]) -> (width: Int, height: Int)? {
        guard bytes.count > 24, bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) else { return nil }
        func u32(_ i: Int) -> Int { bytes[i..<(i + 4)].reduce(0) { $0 << 8 | Int($1) } }
        return (u32(16), u32(20))
    }

    @Test("A PDF's page shows its first page as an image; a broken PDF, a photo and another patient's PDF have none", arguments: testDatabases)
    func preview(kind: DatabaseKind) async throws {
        guard PDFPreviewRenderer(pdftoppm: PDFPreviewRenderer.defaultPath) != nil else {
            #expect(ProcessInfo.processInfo.environment["CI"] == nil, "poppler-utils (pdftoppm) is required in CI")
            return
        }
        try await PatientUploadTests.run(kind, .files) { browser, env, patient in
            let id = patient.id.description
            _ = try await browser.postMultipart(Paths.uploads(id), files: [
                .init(name: "letter.pdf", bytes: try PatientUploadTests.fixture("crazyones.pdf")),
                .init(name: "broken.pdf", bytes: Array("%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage".utf8)),
                .init(name: "rash.jpg", bytes: try PatientUploadTests.fixture("pillow_hopper_orientation_6.jpg")),
            ])
            let uploads = try await env.database.read { try await UploadRepository($0).list(patient: patient.id, visibility: .wholeRecord, limit: 10, offset: 0) }
            let letter = try #require(uploads.first { $0.fileName == "letter.pdf" })
            let broken = try #require(uploads.first { $0.fileName == "broken.pdf" })
            let photo = try #require(uploads.first { $0.fileName == "rash.jpg" })

            let page = try await browser.get(Paths.upload(id, letter.id))
            #expect(page.body.contains(#"<img src="\#(Paths.uploadPreview(id, letter.id))" alt="First page of the document “letter”">"#))
            let before = try await AuditTrail.shown(env).filter { $0 == "Binary/\(letter.id)" }.count
            let image = try await browser.get(Paths.uploadPreview(id, letter.id))
            #expect(image.status == .ok)
            #expect(image.headers[.contentType] == "image/png")
            #expect(image.headers[.cacheControl] == "no-store", "a preview of a health document was cacheable")
            let size = try #require(Self.pngSize(image.bytes))
            #expect(max(size.width, size.height) == PDFPreviewRenderer.size && size.width < size.height)  // a portrait page, scaled to 800
            #expect(try await AuditTrail.shown(env).filter { $0 == "Binary/\(letter.id)" }.count == before + 1)

            #expect(try await browser.get(Paths.uploadPreview(id, broken.id)).status == .notFound)
            #expect(try await browser.get(Paths.uploadPreview(id, photo.id)).status == .notFound)
            #expect(!(try await browser.get(Paths.upload(id, photo.id))).body.contains("First page of"))

            let other = Browser(browser.client)
            let (otherPatient, _) = try await Flows.signedInPatient(other, env)
            #expect(try await other.get(Paths.uploadPreview(id, letter.id)).status == .notFound)
            #expect(try await other.get(Paths.uploadPreview(otherPatient.id.description, letter.id)).status == .notFound)
        }
    }

    @Test("With previews off (CAREVAULT_PDF_PREVIEW=off) the page offers the document without an image")
    func off() async throws {
        try await TestApp.run(.sqlite, configure: { $0.pdfPreviewCommand = nil }) { client, env in
            let browser = Browser(client)
            let (patient, upload) = try await Flows.patientWithUpload(browser, env, fileName: "letter.pdf", fixture: "crazyones.pdf")
            let id = patient.id.description
            let page = try await browser.get(Paths.upload(id, upload.id))
            #expect(page.body.contains("This is a PDF document. Open it to read it.") && !page.body.contains("First page of"))
            #expect(try await browser.get(Paths.uploadPreview(id, upload.id)).status == .notFound)
        }
    }
}

extension PDFPreviewTests {
    actor Counter {
        var now = 0, peak = 0
        func enter() { now += 1; peak = max(peak, now) }
        func leave() { now -= 1 }
    }

    @Test("No more than two renderers run at once; the others wait their turn and all finish")
    func gate() async throws {
        let gate = RenderGate(limit: 2)
        let counter = Counter()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    await gate.enter()
                    await counter.enter()
                    try? await Task.sleep(for: .milliseconds(20))
                    await counter.leave()
                    await gate.leave()
                }
            }
        }
        #expect(await counter.peak == 2)
        #expect(await counter.now == 0)
    }
}
