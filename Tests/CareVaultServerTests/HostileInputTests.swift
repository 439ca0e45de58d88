import CareVaultCore
@testable import CareVaultServer
import CareVaultStore
import Foundation
import Testing

/// Files built to exhaust a parser — nesting tens of thousands deep, chains and counts no device
/// writes — are refused with a reason, never crash the server, and leave nothing behind. Before the
/// limits, the nested DICOM file overflowed the stack and killed the process (and with it this test
/// run), and the fill-byte JPEG took time quadratic in its size.
@Suite("Hostile files")
struct HostileInputTests {
    @Test("The parsers refuse what is nested or chained beyond their named limits, and read what is within them")
    func limits() throws {
        #expect(throws: DICOMHeader.Failure.nestedTooDeeply) { try DICOMHeader.read(HostileFiles.nestedDICOM(depth: 52_000)) }
        #expect(throws: DICOMHeader.Failure.nestedTooDeeply) { try DICOMHeader.read(HostileFiles.nestedDICOM(depth: DICOMHeader.maxSequenceDepth + 1)) }
        #expect(try DICOMHeader.read(HostileFiles.nestedDICOM(depth: DICOMHeader.maxSequenceDepth)).transferSyntax == "1.2.840.10008.1.2.1")
        #expect(DICOMHeader.Failure.nestedTooDeeply.isHostile && !DICOMHeader.Failure.truncated.isHostile)

        #expect(throws: ImageMetadataStripper.Failure.malformed) { try TIFFMetadataScrubber.edits(for: HostileFiles.chainedTIFF(length: 52_000)) }
        #expect(try TIFFMetadataScrubber.edits(for: HostileFiles.chainedTIFF(length: 3)).edits.count >= 0)
        #expect(throws: ImageMetadataStripper.Failure.malformed) { try HEIFMetadataScrubber.edits(for: HostileFiles.manyBoxesHEIF(count: 100_000)) }
        // A real photo followed by empty boxes: a few are fine, more than the limit of 1,024 top-level boxes are refused.
        let photo = try PatientUploadTests.fixture("photo-gps.heic")
        let free = HostileFiles.be32(8) + Array("free".utf8)
        #expect(try HEIFMetadataScrubber.edits(for: photo + Array([[UInt8]](repeating: free, count: 10).joined())).removed.contains("EXIF"))
        #expect(throws: ImageMetadataStripper.Failure.malformed) {
            try HEIFMetadataScrubber.edits(for: photo + Array([[UInt8]](repeating: free, count: 1_100).joined()))
        }
        #expect(throws: JSONParser.SyntaxError.self) { try JSONParser.parse(HostileFiles.nestedJSON(depth: 52_000)) }
    }

    @Test("A JPEG of four million fill bytes is cleaned in one pass", .timeLimit(.minutes(1)))
    func fillBytes() throws {
        var stripper = try #require(ImageMetadataStripper(kind: .jpeg))
        let file = HostileFiles.fillByteJPEG(fill: 4 << 20)
        var out = try stripper.update(file)
        out += try stripper.finish()
        #expect(out == [0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x02, 0x01, 0x02, 0x03, 0xFF, 0xD9])
    }

    @Test("Deep DICOM, a TIFF chain and a HEIF of boxes are refused over HTTP by name; nothing is kept and the server still answers",
          arguments: uploadStores)
    func uploads(kind: DatabaseKind, store: CareVaultConfiguration.BlobStoreKind) async throws {
        try await PatientUploadTests.run(kind, store) { browser, env, patient in
            let page = try await browser.postMultipart(Paths.uploads(patient.id.description), files: [
                .init(name: "scan.dcm", type: "application/dicom", bytes: HostileFiles.nestedDICOM(depth: 52_000)),
                .init(name: "chain.tif", type: "image/tiff", bytes: HostileFiles.chainedTIFF(length: 52_000)),
                .init(name: "boxes.heic", type: "image/heic", bytes: HostileFiles.manyBoxesHEIF(count: 130_000)),
            ])
            #expect(page.status == .unprocessableContent)
            #expect(page.body.contains("scan.dcm is a malformed DICOM file: it nests sequences more than 64 deep"), "\(page.body)")
            #expect(page.body.contains("chain.tif is not a readable image"))
            #expect(page.body.contains("boxes.heic is not a readable image"))
            #expect(try await PatientUploadTests.storedBytes(env).isEmpty)
            #expect(try await PatientUploadTests.rowCount(env, "uploads") == 0)
            #expect(try await browser.get("/health").status == .ok)

            // A photo padded with fill bytes is still a photo: stored, cleaned, promptly.
            let padded = try await browser.postMultipart(Paths.uploads(patient.id.description), files: [
                .init(name: "padded.jpg", type: "image/jpeg", bytes: HostileFiles.fillByteJPEG(fill: 2 << 20)),
            ])
            #expect(padded.status == .ok || padded.status == .seeOther, "\(padded.status)")
            #expect(try await PatientUploadTests.rowCount(env, "uploads") == 1)
        }
    }

    @Test("A bundle nested 52,000 deep is refused on the import page, and a form with thousands of fields is refused whole",
          arguments: testDatabases)
    func deepJSONAndManyFields(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { client, env in
            let doctor = try await ReleaseWorkflowTests.staff(client, env, role: .clinician)
            _ = try await doctor.get(Paths.staffImport)
            let page = try await doctor.postMultipart(Paths.staffImport, files: [.init(name: "deep.json", bytes: HostileFiles.nestedJSON(depth: 52_000))])
            #expect(page.body.contains("deep.json"))
            #expect(page.body.contains("nested too deeply"), "\(page.body)")
            #expect(try await ImportPageTests.counts(env).resources == 0)

            let many = try await doctor.postMultipart(Paths.staffImport, fields: (0..<5_000).map { ("f\($0)", "x") },
                                                      files: [.init(name: "deep.json", bytes: Array("{}".utf8))])
            #expect(many.status == .badRequest)
            #expect(try await doctor.get("/health").status == .ok)
        }
    }
}
