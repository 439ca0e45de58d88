import CareVaultCore
import Foundation
import Testing

/// Checked with Debian's exiftool (libimage-exiftool-perl): what it finds in the cleaned copy is what
/// anyone would find.
@Suite("Image metadata removal")
struct ImageMetadataTests {
    static let exiftool = ExternalTool.find(["/usr/bin/exiftool"])
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/uploads")

    /// Strips `name` in small pieces (as it would stream) and returns the clean bytes and what was removed.
    static func strip(_ name: String, kind: UploadKind) throws -> (bytes: [UInt8], removed: Set<String>) {
        let original = Array(try Data(contentsOf: folder.appendingPathComponent(name)))
        var stripper = try #require(ImageMetadataStripper(kind: kind))
        var out: [UInt8] = []
        for start in stride(from: 0, to: original.count, by: 777) { out += try stripper.update(original[start..<min(start + 777, original.count)]) }
        out += try stripper.finish()
        return (out, stripper.removed)
    }

    /// exiftool's tags (group:name → value) for bytes.
    static func tags(_ bytes: [UInt8], ext: String) throws -> [String: String] {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("strip-\(UUID().uuidString).\(ext)").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let output = try ExternalTool.run(try #require(exiftool), ["-s", "-G1", "-a", "-n", path])
        var tags: [String: String] = [:]
        for line in output.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.count == 2 { tags[parts[0].replacingOccurrences(of: " ", with: "")] = parts[1] }
        }
        return tags
    }

    static func identifying(_ tags: [String: String]) -> [String] {
        tags.keys.filter { key in
            ["[GPS]", "[IFD1]", "[XMP", "[IPTC]", "[Canon]", "[Sony]", "[Olympus]", "[Panasonic]", "[ExifIFD]", "[MakerNotes"].contains { key.hasPrefix($0) }
                || key.hasSuffix("Artist") || key.hasSuffix("ImageDescription") || key.hasSuffix("Make") || key.hasSuffix("Model")
                || key.hasSuffix("ThumbnailImage") || key.hasSuffix("Comment")
        }.sorted()
    }

    @Test("A phone photo with GPS, artist, description, maker notes and a thumbnail keeps none of them, and still decodes")
    func gpsPhoto() throws {
        guard Self.exiftool != nil else { #expect(!ExternalTool.required, "exiftool is required in CI"); return }
        let before = try Self.tags(Array(try Data(contentsOf: Self.folder.appendingPathComponent("derived_r_canon_gps.jpg"))), ext: "jpg")
        #expect(before["[GPS]GPSLatitude"] != nil && before["[IFD0]Artist"] != nil)  // the test would prove nothing otherwise
        let (clean, removed) = try Self.strip("derived_r_canon_gps.jpg", kind: .jpeg)
        let after = try Self.tags(clean, ext: "jpg")
        #expect(Self.identifying(after).isEmpty, "left: \(Self.identifying(after))")
        #expect(after["[File]ImageWidth"] == before["[File]ImageWidth"] && after["[File]ImageHeight"] == before["[File]ImageHeight"])
        #expect(after["[ExifTool]Warning"] == nil, "\(after["[ExifTool]Warning"] ?? "")")
        #expect(removed.contains("EXIF"))
    }

    @Test("Orientation survives (a minimal EXIF block), so the photo shows the right way up")
    func orientation() throws {
        guard Self.exiftool != nil else { #expect(!ExternalTool.required, "exiftool is required in CI"); return }
        let (clean, _) = try Self.strip("pillow_hopper_orientation_6.jpg", kind: .jpeg)
        let after = try Self.tags(clean, ext: "jpg")
        #expect(after["[IFD0]Orientation"] == "6")
        #expect(Self.identifying(after).isEmpty, "left: \(Self.identifying(after))")
    }

    @Test("IPTC (city, captions) is removed from a JPEG; EXIF text from a PNG")
    func iptcAndPNG() throws {
        guard Self.exiftool != nil else { #expect(!ExternalTool.required, "exiftool is required in CI"); return }
        let (jpeg, removed) = try Self.strip("pillow_iptc.jpg", kind: .jpeg)
        #expect(try Self.tags(jpeg, ext: "jpg").keys.allSatisfy { !$0.hasPrefix("[IPTC]") })
        #expect(removed.contains("IPTC"))
        let before = try Self.tags(Array(try Data(contentsOf: Self.folder.appendingPathComponent("pillow_exif.png"))), ext: "png")
        #expect(before.keys.contains { $0.hasPrefix("[IFD0]") || $0.hasPrefix("[ExifIFD]") })
        let (png, pngRemoved) = try Self.strip("pillow_exif.png", kind: .png)
        let after = try Self.tags(png, ext: "png")
        #expect(!after.keys.contains { $0.hasPrefix("[IFD0]") || $0.hasPrefix("[ExifIFD]") }, "\(after.keys.sorted())")
        #expect(after["[PNG]ImageWidth"] == before["[PNG]ImageWidth"])
        #expect(after["[ExifTool]Warning"] == nil)
        #expect(pngRemoved.contains("EXIF"))
    }

    /// Strips `bytes` in pieces of 777 (as they would stream).
    static func strip(bytes original: [UInt8], kind: UploadKind) throws -> (bytes: [UInt8], removed: Set<String>) {
        var stripper = try #require(ImageMetadataStripper(kind: kind))
        var out: [UInt8] = []
        for start in stride(from: 0, to: original.count, by: 777) { out += try stripper.update(original[start..<min(start + 777, original.count)]) }
        out += try stripper.finish()
        return (out, stripper.removed)
    }

    @Test("What a phone appends after the image (a second JPEG with its own EXIF and GPS, text after a PNG's end) is dropped")
    func trailingData() throws {
        let photo = Array(try Data(contentsOf: Self.folder.appendingPathComponent("derived_r_canon_gps.jpg")))
        let (single, _) = try Self.strip("derived_r_canon_gps.jpg", kind: .jpeg)
        let (withTrailer, removed) = try Self.strip(bytes: photo + photo, kind: .jpeg)
        #expect(withTrailer == single)
        #expect(removed.contains("data after the image") && removed.contains("EXIF"))
        #expect(withTrailer.firstRange(of: Array("Test Patient Jane Doe".utf8)) == nil)
        let png = Array(try Data(contentsOf: Self.folder.appendingPathComponent("pillow_exif.png")))
        let (cleanPNG, _) = try Self.strip("pillow_exif.png", kind: .png)
        let (pngWithTrailer, pngRemoved) = try Self.strip(bytes: png + Array("Jane Doe, 12 Elm Street".utf8), kind: .png)
        #expect(pngWithTrailer == cleanPNG && pngRemoved.contains("data after the image"))
        if Self.exiftool != nil {
            let tags = try Self.tags(withTrailer, ext: "jpg")
            #expect(Self.identifying(tags).isEmpty && tags["[ExifTool]Warning"] == nil, "\(tags)")
        }
    }

    @Test("A cut-off or fake image is refused, not passed on")
    func malformed() throws {
        var jpeg = try #require(ImageMetadataStripper(kind: .jpeg))
        _ = try jpeg.update([0xFF, 0xD8, 0xFF, 0xE1, 0x10, 0x00, 0x45])
        #expect(throws: ImageMetadataStripper.Failure.malformed) { try jpeg.finish() }
        var png = try #require(ImageMetadataStripper(kind: .png))
        #expect(throws: ImageMetadataStripper.Failure.malformed) { try png.update(Array("%PDF-1.7 not a png".utf8)) }
        #expect(ImageMetadataStripper(kind: .pdf) == nil)
    }
}
