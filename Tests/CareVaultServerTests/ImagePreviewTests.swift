import CareVaultCore
@testable import CareVaultServer
import CareVaultStore
import Foundation
import Testing

/// Viewable copies of HEIC and TIFF uploads (which most browsers cannot show), drawn by gdk-pixbuf in its sandbox.
@Suite("HEIC and TIFF previews")
struct ImagePreviewTests {
    static func requireRenderer() -> Bool {
        guard ImagePreviewRenderer(thumbnailer: ImagePreviewRenderer.defaultPath) != nil else {
            #expect(ProcessInfo.processInfo.environment["CI"] == nil, "gdk-pixbuf-thumbnailer (libgdk-pixbuf2.0-bin) is required in CI")
            return false
        }
        return true
    }

    @Test("A HEIC photo and a TIFF scan show as upright PNG copies on their pages; another patient gets 404", arguments: testDatabases)
    func copies(kind: DatabaseKind) async throws {
        guard Self.requireRenderer() else { return }
        let renderer = try #require(ImagePreviewRenderer(thumbnailer: ImagePreviewRenderer.defaultPath))
        #expect(await renderer.kinds() == [.heif, .tiff] || ProcessInfo.processInfo.environment["CI"] == nil, "heif-gdk-pixbuf is required in CI")
        let drawn = await renderer.kinds()
        try await PatientUploadTests.run(kind, .files) { browser, env, patient in
            let id = patient.id.description
            _ = try await browser.postMultipart(Paths.uploads(id), files: [
                .init(name: "rash.heic", bytes: try PatientUploadTests.fixture("photo-gps.heic")),
                .init(name: "scan.tif", bytes: try PatientUploadTests.fixture("scan-gps.tif")),
                .init(name: "arm.jpg", bytes: try PatientUploadTests.fixture("pillow_hopper_orientation_6.jpg")),
            ])
            let uploads = try await env.database.read { try await UploadRepository($0).list(patient: patient.id, visibility: .wholeRecord, limit: 10, offset: 0) }
            #expect(uploads.count == 3)
            var checked = 0
            for upload in uploads where upload.kind != .jpeg && drawn.contains(upload.kind) {
                let page = try await browser.get(Paths.upload(id, upload.id))
                #expect(page.body.contains(#"<img src="\#(Paths.uploadPreview(id, upload.id))" alt="The uploaded image: \#(upload.title)">"#))
                #expect(page.body.contains("A copy made for viewing in the browser. The download is the original file."))
                let audited = { try await AuditTrail.shown(env).filter { $0 == "Binary/\(upload.id)" }.count }
                let before = try await audited()
                let image = try await browser.get(Paths.uploadPreview(id, upload.id))
                #expect(image.status == .ok)
                #expect(image.headers[.contentType] == "image/png")
                // Both fixtures are 96 × 64 pixels stored with "rotate 90° clockwise": the copy stands upright, scaled to 1024.
                let size = try #require(PDFPreviewTests.pngSize(image.bytes))
                #expect(size.height == ImagePreviewRenderer.size && size.width == 683, "\(upload.kind): \(size)")
                #expect(try await audited() == before + 1)

                let other = Browser(browser.client)
                let (otherPatient, _) = try await Flows.signedInPatient(other, env)
                #expect(try await other.get(Paths.uploadPreview(id, upload.id)).status == .notFound)
                #expect(try await other.get(Paths.uploadPreview(otherPatient.id.description, upload.id)).status == .notFound)
                checked += 1
            }
            #expect(checked == drawn.count)
            // A JPEG goes to the browser as it is stored; there is no copy to draw.
            let photo = try #require(uploads.first { $0.kind == .jpeg })
            let page = try await browser.get(Paths.upload(id, photo.id))
            #expect(page.body.contains(#"<img src="\#(Paths.uploadFile(id, photo.id))""#) && !page.body.contains("A copy made for viewing"))
            #expect(try await browser.get(Paths.uploadPreview(id, photo.id)).status == .notFound)
        }
    }

    @Test("The clinician reviewing a patient's HEIC photo sees it on the review page, audited as their read on the care team's authority")
    func review() async throws {
        guard Self.requireRenderer(),
              await ImagePreviewRenderer(thumbnailer: ImagePreviewRenderer.defaultPath)?.kinds().contains(.heif) == true else { return }
        try await TestApp.run(.sqlite) { client, env in
            let patientBrowser = Browser(client)
            let (patient, upload) = try await Flows.patientWithUpload(patientBrowser, env, fileName: "rash.heic", fixture: "photo-gps.heic",
                                                                      fields: [("title", "Rash on the arm")])
            let id = patient.id.description

            let doctor = try await ReleaseWorkflowTests.staff(client, env, role: .clinician)
            let item = try #require(ReviewTests.queueLinks(try await doctor.get(Paths.reviewQueue)).first)
            let page = try await doctor.get(item)
            #expect(page.body.contains(#"<img src="\#(Paths.uploadPreview(id, upload.id))" alt="The uploaded image: Rash on the arm">"#))
            let image = try await doctor.get(Paths.uploadPreview(id, upload.id))
            #expect(image.status == .ok && image.headers[.contentType] == "image/png")
            let reads = try await AuditTrail.events(env, action: .recordRead).filter {
                $0.basis?.hasPrefix("care-team:clinician:") == true && $0.entities.contains("Binary/\(upload.id)")
            }
            #expect(reads.count == 1)
        }
    }

    @Test("With copies off, or a converter that draws nothing, the page offers the download without an image",
          arguments: [nil, "/bin/true"] as [String?])
    func unavailable(command: String?) async throws {
        try await TestApp.run(.sqlite, configure: { $0.imagePreviewCommand = command }) { client, env in
            let browser = Browser(client)
            let (patient, upload) = try await Flows.patientWithUpload(browser, env, fileName: "rash.heic", fixture: "photo-gps.heic")
            let id = patient.id.description
            let page = try await browser.get(Paths.upload(id, upload.id))
            #expect(page.body.contains("Download the file") && !page.body.contains("<img") && !page.body.contains("A copy made for viewing"))
            #expect(try await browser.get(Paths.uploadPreview(id, upload.id)).status == .notFound)
        }
    }
}
