import CareVaultCore
import Crypto
import Foundation
import Testing

@Suite("Upload kinds and blob encryption")
struct UploadTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func prefix(_ name: String) throws -> [UInt8] {
        let url = name.hasSuffix(".pdf") ? fixtures.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("CareVaultServerTests/Fixtures/\(name)") : fixtures.appendingPathComponent("uploads/\(name)")
        return Array(try Data(contentsOf: url).prefix(UploadSniffer.prefixLength))
    }

    @Test("Real files are recognized by their content", arguments: [
        ("crazyones.pdf", "report.pdf", UploadKind.pdf), ("derived_r_canon_gps.jpg", "rash.JPG", .jpeg),
        ("pillow_exif.png", "scan.png", .png), ("CT_small.dcm", "IM0001", .dicom), ("CT_small.dcm", "ct.dcm", .dicom),
    ])
    func realFiles(file: String, name: String, kind: UploadKind) throws {
        #expect(UploadSniffer.kind(of: try Self.prefix(file), fileName: name) == .success(kind))
    }

    @Test("Made-up headers: TIFF both ways, HEIC, text, CSV with a BOM and non-Latin text")
    func headers() {
        #expect(UploadSniffer.kind(of: [0x49, 0x49, 0x2A, 0x00, 8, 0, 0, 0], fileName: "x.tif") == .success(.tiff))
        #expect(UploadSniffer.kind(of: [0x4D, 0x4D, 0x00, 0x2A, 0, 0, 0, 8], fileName: "x.TIFF") == .success(.tiff))
        #expect(UploadSniffer.kind(of: [0, 0, 0, 0x18] + Array("ftypheic".utf8) + [0, 0, 0, 0], fileName: "IMG_1.HEIC") == .success(.heif))
        #expect(UploadSniffer.kind(of: Array("Blood pressure diary\n".utf8), fileName: "notes.txt") == .success(.text))
        #expect(UploadSniffer.kind(of: [0xEF, 0xBB, 0xBF] + Array("date,measure,value\n2026-01-02,давление,120\n".utf8), fileName: "bp.csv") == .success(.csv))
    }

    @Test("Refused: empty, programs, archives, web pages, unknown binaries, and content that does not match the name", arguments: [
        ([], "empty.pdf", UploadRefusal.empty),
        (Array("MZ".utf8) + [0x90, 0], "setup.pdf", .dangerous(what: "a Windows program")),
        ([0x7F, 0x45, 0x4C, 0x46, 2, 1], "a.txt", .dangerous(what: "a Linux program")),
        ([0x50, 0x4B, 0x03, 0x04, 20, 0], "records.zip", .dangerous(what: "a ZIP archive (or an Office file)")),
        ([0x1F, 0x8B, 8, 0], "x.csv", .dangerous(what: "a compressed archive")),
        (Array("#!/bin/sh\nrm -rf /\n".utf8), "run.txt", .dangerous(what: "a script")),
        (Array("  <!DOCTYPE html><html><script>alert(1)</script>".utf8), "report.pdf", .dangerous(what: "a web page")),
        (Array("<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>".utf8), "chart.txt", .dangerous(what: "an SVG drawing")),
        ([0x00, 0x01, 0x02, 0x03, 0xFF], "data.bin", .unsupported),
        (Array("%PDF-1.7\n".utf8), "photo.jpg", .mismatch(kind: .pdf, fileExtension: "jpg")),
        ([0xFF, 0xD8, 0xFF, 0xE0], "scan.pdf", .mismatch(kind: .jpeg, fileExtension: "pdf")),
        (Array("hello".utf8), "hello", .mismatch(kind: .text, fileExtension: "")),
    ])
    func refused(bytes: [UInt8], name: String, refusal: UploadRefusal) {
        #expect(UploadSniffer.kind(of: bytes, fileName: name) == .failure(refusal))
    }

    @Test("A program dressed as DICOM (an executable header in the free-form preamble) is refused")
    func polyglot() {
        let bytes = Array("MZ".utf8) + [UInt8](repeating: 0, count: 126) + Array("DICM".utf8) + [0, 0]
        #expect(UploadSniffer.kind(of: bytes, fileName: "scan.dcm") == .failure(.dangerous(what: "a Windows program")))
    }

    @Test("A DICOM dataset without its Part 10 header is not accepted as DICOM")
    func dicomWithoutPreamble() throws {
        #expect(UploadSniffer.kind(of: try Self.prefix("no_meta.dcm"), fileName: "no_meta.dcm") == .failure(.unsupported))
    }

    static let masterKey = MasterKey(key: SymmetricKey(size: .bits256))

    static func encrypt(_ plain: [UInt8], id: String = "blob-1", pieces: Int = 7) throws -> (sealed: [UInt8], sha256: String) {
        var encryptor = try BlobEncryptor(masterKey: masterKey, blobID: id)
        var sealed: [UInt8] = []
        let step = max(1, plain.count / pieces)
        for start in stride(from: 0, to: plain.count, by: step) { sealed += try encryptor.update(plain[start..<min(start + step, plain.count)]) }
        let (rest, sha) = try encryptor.finish()
        return (sealed + rest, sha)
    }

    static func decrypt(_ sealed: [UInt8], id: String = "blob-1") throws -> [UInt8] {
        var decryptor = BlobDecryptor(masterKey: masterKey, blobID: id)
        var plain: [UInt8] = []
        for start in stride(from: 0, to: sealed.count, by: 10_000) { plain += try decryptor.update(sealed[start..<min(start + 10_000, sealed.count)]) }
        return plain + (try decryptor.finish())
    }

    @Test("Round trip at chunk edges; the plaintext never appears; SHA-256 matches swift-crypto's", arguments: [0, 1, 65_535, 65_536, 65_537, 200_000])
    func roundTrip(size: Int) throws {
        let plain = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let (sealed, sha) = try Self.encrypt(plain)
        #expect(try Self.decrypt(sealed) == plain)
        #expect(sha == SHA256.hash(data: plain).map { String(format: "%02x", $0) }.joined())
        #expect(sealed.count == 72 + plain.count + 16 * max(1, (plain.count + BlobCipher.chunkSize - 1) / BlobCipher.chunkSize))
        if size >= 64 { #expect(sealed.firstRange(of: plain[0..<64]) == nil) }
    }

    @Test("Tampering is detected: a flipped bit, a cut-off end, a dropped or swapped chunk, another blob's id, another key")
    func tampering() throws {
        let plain = (0..<(3 * BlobCipher.chunkSize + 100)).map { UInt8(truncatingIfNeeded: $0) }
        let (sealed, _) = try Self.encrypt(plain)
        var flipped = sealed
        flipped[72 + 70_000] ^= 0x01
        #expect(throws: BlobCipher.IntegrityError.self) { try Self.decrypt(flipped) }
        #expect(throws: BlobCipher.IntegrityError.self) { try Self.decrypt(Array(sealed.dropLast(116))) }  // the whole last chunk gone
        #expect(throws: BlobCipher.IntegrityError.self) { try Self.decrypt(Array(sealed.dropLast(5))) }
        let chunk = BlobCipher.chunkSize + BlobCipher.tagSize
        let swapped = Array(sealed[..<72]) + Array(sealed[(72 + chunk)..<(72 + 2 * chunk)]) + Array(sealed[72..<(72 + chunk)]) + Array(sealed[(72 + 2 * chunk)...])
        #expect(throws: BlobCipher.IntegrityError.self) { try Self.decrypt(swapped) }
        #expect(throws: BlobCipher.IntegrityError.badHeader) { try Self.decrypt(sealed, id: "blob-2") }
        var other = BlobDecryptor(masterKey: MasterKey(key: SymmetricKey(size: .bits256)), blobID: "blob-1")
        #expect(throws: BlobCipher.IntegrityError.badHeader) { _ = try other.update(sealed) }
        #expect(throws: BlobCipher.IntegrityError.truncated) { try Self.decrypt(Array(sealed.prefix(50))) }
    }
}
