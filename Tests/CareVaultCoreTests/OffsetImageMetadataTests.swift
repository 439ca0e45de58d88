import CareVaultCore
import Foundation
import Testing

/// HEIC and TIFF lose their metadata by in-place edits. Checked three ways: the identifying strings
/// are nowhere in the cleaned bytes, exiftool (Debian) finds no identifying tag, and Pillow with
/// pillow-heif (PyPI) decodes exactly the same pixels as from the original.
@Suite("HEIC and TIFF metadata removal")
struct OffsetImageMetadataTests {
    static let python = ExternalTool.which("python3")
    static let secrets = ["Jane Doe", "TestCam", "Model X", "SN12345", "Test City", "forearm", "2013:12:17"]

    static func original(_ name: String) throws -> [UInt8] { Array(try Data(contentsOf: ImageMetadataTests.folder.appendingPathComponent(name))) }

    /// The edits applied as the file would stream out: in small chunks, in order.
    static func clean(_ bytes: [UInt8], with edits: ImageEdits) -> [UInt8] {
        var edits = edits
        var out: [UInt8] = []
        for start in stride(from: 0, to: bytes.count, by: 333) {
            var chunk = Array(bytes[start..<min(start + 333, bytes.count)])
            edits.apply(to: &chunk, at: start)
            out += chunk
        }
        return out
    }

    static func contains(_ bytes: [UInt8], _ text: String) -> Bool {
        let needle = Array(text.utf8)
        return bytes.count >= needle.count && (0...(bytes.count - needle.count)).contains { bytes[$0..<($0 + needle.count)].elementsEqual(needle) }
    }

    /// Every page decoded by Pillow (pillow-heif for HEIC): "WxH:sha256-of-pixels" per page, or nil without them.
    static func pixels(_ bytes: [UInt8], ext: String) throws -> [String]? {
        guard let python else { return nil }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("pixels-\(UUID().uuidString).\(ext)").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let script = """
            import sys, hashlib
            try:
                from PIL import Image, ImageSequence
                import pillow_heif
            except ImportError:
                print("missing"); sys.exit(0)
            pillow_heif.register_heif_opener()
            with Image.open(sys.argv[1]) as im:
                for page in ImageSequence.Iterator(im):
                    page.load()
                    print("%dx%d:%s" % (page.size[0], page.size[1], hashlib.sha256(page.tobytes()).hexdigest()))
            """
        let lines = try ExternalTool.run(python, ["-c", script, path]).split(separator: "\n").map(String.init)
        return lines == ["missing"] ? nil : lines
    }

    func check(_ name: String, ext: String, secrets: Int = 3, scrub: ([UInt8]) throws -> ImageEdits) throws -> (tags: [String: String], removed: Set<String>) {
        let before = try Self.original(name)
        #expect(Self.secrets.filter { Self.contains(before, $0) }.count >= secrets, "the fixture must carry the secrets for the test to prove anything")
        let edits = try scrub(before)
        let after = Self.clean(before, with: edits)
        #expect(after.count == before.count)
        #expect(Self.secrets.filter { Self.contains(after, $0) } == [])
        if let theirs = try Self.pixels(before, ext: ext) {
            #expect(!theirs.isEmpty)
            #expect(try Self.pixels(after, ext: ext) == theirs)
        } else {
            #expect(!ExternalTool.required, "Pillow and pillow-heif are required in CI")
        }
        guard ImageMetadataTests.exiftool != nil else {
            #expect(!ExternalTool.required, "exiftool is required in CI")
            return ([:], edits.removed)
        }
        let tags = try ImageMetadataTests.tags(after, ext: ext)
        let identifying = tags.keys.filter { key in
            ["[GPS]", "[XMP", "[IPTC]", "[ExifIFD]", "[Composite]GPS"].contains { key.hasPrefix($0) }
                || ["Artist", "ImageDescription", "Make", "Model", "SerialNumber", "DateTimeOriginal", "ThumbnailImage"].contains { key.hasSuffix($0) }
        }
        #expect(identifying.isEmpty, "left: \(identifying.sorted())")
        #expect(tags["[ExifTool]Warning"] == nil, "\(tags["[ExifTool]Warning"] ?? "")")
        return (tags, edits.removed)
    }

    @Test("A HEIC photo loses EXIF, GPS and XMP and keeps its rotation")
    func heicPhoto() throws {
        let (tags, removed) = try check("photo-gps.heic", ext: "heic", scrub: HEIFMetadataScrubber.edits(for:))
        #expect(removed.isSuperset(of: ["EXIF", "XMP"]))
        if !tags.isEmpty {
            #expect(tags["[QuickTime]Rotation"] == "270")
            #expect(tags["[QuickTime]ImageSpatialExtent"] == "96 64")
        }
    }

    @Test("A HEIC stored as phones do (a grid of tiles laid out in idat) keeps every tile and its layout, and loses its metadata")
    func heicGrid() throws {
        let (tags, removed) = try check("photo-grid.heic", ext: "heic", secrets: 2, scrub: HEIFMetadataScrubber.edits(for:))
        #expect(removed == ["EXIF", "XMP"])
        if !tags.isEmpty { #expect(tags["[Composite]ImageSize"] == "160 120") }
    }

    @Test("A tiled HEIC loses its embedded thumbnail with its metadata; its tiles stay")
    func heicThumbnail() throws {
        let (tags, removed) = try check("photo-thumbnail.heic", ext: "heic", secrets: 1, scrub: HEIFMetadataScrubber.edits(for:))
        #expect(removed == ["EXIF", "XMP", "thumbnail"])
        if !tags.isEmpty { #expect(tags["[Meta]MetaImageSize"] == nil && tags["[Composite]ImageSize"] == "128 96") }
    }

    @Test("A two-page TIFF scan loses EXIF, GPS, XMP, IPTC and text tags on every page; both pages and the orientation stay")
    func tiffScan() throws {
        let (tags, removed) = try check("scan-gps.tif", ext: "tif", scrub: TIFFMetadataScrubber.edits(for:))
        #expect(removed == ["EXIF", "GPS", "XMP", "IPTC"])
        if !tags.isEmpty {
            #expect(tags["[IFD0]Orientation"] == "6" && tags["[IFD0]ImageWidth"] == "96" && tags["[IFD1]ImageWidth"] == "80")
        }
    }

    /// A big-endian TIFF: a 2×2 page with an artist, an EXIF directory with a comment, and a 1×1
    /// reduced-resolution page (a thumbnail).
    static func bigEndianTIFF() -> [UInt8] {
        var b: [UInt8] = [0x4D, 0x4D, 0, 42, 0, 0, 0, 8]
        func u16(_ v: Int) { b += [UInt8(v >> 8), UInt8(v & 0xFF)] }
        func u32(_ v: Int) { u16(v >> 16); u16(v & 0xFFFF) }
        func entry(_ tag: Int, _ type: Int, _ count: Int, _ value: Int, short: Bool = false) {
            u16(tag); u16(type); u32(count)
            if short { u16(value); u16(0) } else { u32(value) }
        }
        // IFD0 at 8: 8 entries → ends at 8 + 2 + 96 + 4 = 110.
        let artist = 110, exif = 132, pixels = 170, thumbIFD = 174, thumbPixels = 240
        u16(8)
        entry(256, 3, 1, 2, short: true); entry(257, 3, 1, 2, short: true); entry(259, 3, 1, 1, short: true)
        entry(262, 3, 1, 1, short: true); entry(273, 4, 1, pixels); entry(279, 4, 1, 4)
        entry(315, 2, 22, artist); entry(34665, 4, 1, exif)
        u32(thumbIFD)
        b += Array("Test Patient Jane Doe".utf8) + [0]  // 110..<132
        // EXIF IFD at 132: one UserComment (UNDEFINED, 20 bytes at 150) → 132 + 2 + 12 + 4 = 150.
        u16(1); entry(37510, 7, 20, 150); u32(0)
        b += Array("ASCII\0\0\0SN12345 Test".utf8)  // 150..<170
        b += [10, 200, 30, 250]  // pixels 170..<174
        // Thumbnail IFD at 174: 5 entries → 174 + 2 + 60 + 4 = 240.
        u16(5)
        entry(254, 4, 1, 1); entry(256, 3, 1, 1, short: true); entry(257, 3, 1, 1, short: true)
        entry(273, 4, 1, thumbPixels); entry(279, 4, 1, 1)
        u32(0)
        b += [77]
        return b
    }

    @Test("A big-endian TIFF's thumbnail page leaves the chain and its pixels are zeroed; EXIF and artist go")
    func bigEndianThumbnail() throws {
        let before = Self.bigEndianTIFF()
        let edits = try TIFFMetadataScrubber.edits(for: before)
        let after = Self.clean(before, with: edits)
        #expect(edits.removed == ["EXIF", "thumbnail"])
        #expect(!Self.contains(after, "Jane Doe") && !Self.contains(after, "SN12345"))
        #expect(Array(after[170..<174]) == [10, 200, 30, 250])
        #expect(after[240] == 0 && after[174..<240].allSatisfy { $0 == 0 })
        // IFD0 now has 6 entries and no next directory.
        #expect(Array(after[8..<10]) == [0, 6])
        #expect(Array(after[(10 + 72)..<(10 + 76)]) == [0, 0, 0, 0])
        if ImageMetadataTests.exiftool != nil {
            let tags = try ImageMetadataTests.tags(after, ext: "tif")
            #expect(tags["[IFD0]ImageWidth"] == "2" && tags["[IFD1]ImageWidth"] == nil && tags["[IFD0]Artist"] == nil)
        }
    }

    @Test("A TIFF whose directories loop, or point past the end, and a HEIF without its meta box are refused")
    func malformed() throws {
        var loop = Self.bigEndianTIFF()
        loop.replaceSubrange(106..<110, with: [0, 0, 0, 8])  // IFD0's next → IFD0
        #expect(throws: ImageMetadataStripper.Failure.malformed) { try TIFFMetadataScrubber.edits(for: loop) }
        var beyond = Self.bigEndianTIFF()
        beyond.replaceSubrange(4..<8, with: [0, 0, 0x10, 0])
        #expect(throws: ImageMetadataStripper.Failure.malformed) { try TIFFMetadataScrubber.edits(for: beyond) }
        #expect(throws: ImageMetadataStripper.Failure.malformed) { try TIFFMetadataScrubber.edits(for: Array(Self.bigEndianTIFF().prefix(100))) }
        let heic = try Self.original("photo-gps.heic")
        let ftyp = Int(heic[3])
        #expect(throws: ImageMetadataStripper.Failure.malformed) { try HEIFMetadataScrubber.edits(for: Array(heic.prefix(ftyp))) }
        #expect(throws: ImageMetadataStripper.Failure.malformed) { try HEIFMetadataScrubber.edits(for: Array(heic.prefix(ftyp + 100))) }
    }
}
