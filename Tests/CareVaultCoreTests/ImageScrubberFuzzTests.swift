import CareVaultCore
import Foundation
import Testing

/// The TIFF and HEIF scrubbers read offsets and sizes straight from files anyone can upload. Damaged
/// copies of the fixtures (bytes flipped where the structures are, files cut short) must be refused
/// or cleaned, never crash the server (an overflow or a bad range traps in Swift) or edit outside the file.
@Suite("Image scrubbers against damaged files")
struct ImageScrubberFuzzTests {
    /// A small deterministic generator (SplitMix64), so a failure can be replayed.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static func damaged(_ original: [UInt8], _ random: inout Generator) -> [UInt8] {
        var bytes = original
        let structureEnd = min(bytes.count, 1024)
        for _ in 0..<Int.random(in: 1...8, using: &random) {
            let position = Bool.random(using: &random) ? Int.random(in: 0..<structureEnd, using: &random) : Int.random(in: 0..<bytes.count, using: &random)
            bytes[position] = [0x00, 0xFF, 0x7F, 0x80, UInt8.random(in: 0...255, using: &random)].randomElement(using: &random)!
        }
        if Int.random(in: 0..<8, using: &random) == 0 { bytes.removeLast(Int.random(in: 1..<bytes.count, using: &random)) }
        return bytes
    }

    @Test("3,000 damaged copies of each TIFF and HEIC: each is refused as malformed or cleaned within its own bytes", arguments: [
        "scan-gps.tif", "photo-gps.heic", "photo-thumbnail.heic", "photo-grid.heic",
    ])
    func damagedFiles(name: String) throws {
        let original = try OffsetImageMetadataTests.original(name)
        var random = Generator(state: UInt64(name.utf8.count) &* 7919)
        var cleaned = 0
        for _ in 0..<3000 {
            let bytes = Self.damaged(original, &random)
            let edits: ImageEdits
            do {
                edits = name.hasSuffix(".tif") ? try TIFFMetadataScrubber.edits(for: bytes) : try HEIFMetadataScrubber.edits(for: bytes)
            } catch ImageMetadataStripper.Failure.malformed {
                continue
            }
            cleaned += 1
            #expect(edits.edits.allSatisfy { $0.range.lowerBound >= 0 && $0.range.upperBound <= bytes.count })
            #expect(OffsetImageMetadataTests.clean(bytes, with: edits).count == bytes.count)
        }
        #expect(cleaned > 100, "the damage should leave many files readable, or the test explores little")
    }
}

extension ImageScrubberFuzzTests {
    @Test("Damaged JPEGs and PNGs stream through the stripper or are refused; damaged DICOM headers are read or refused", arguments: [
        "derived_r_canon_gps.jpg", "pillow_exif.png", "CT_small.dcm", "MR_small_bigendian.dcm",
    ])
    func damagedStreams(name: String) throws {
        let original = try OffsetImageMetadataTests.original(name)
        var random = Generator(state: UInt64(name.utf8.count) &* 6151)
        for _ in 0..<1500 {
            let bytes = Self.damaged(original, &random)
            if name.hasSuffix(".dcm") {
                _ = try? DICOMHeader.read(bytes)
                continue
            }
            var stripper = try #require(ImageMetadataStripper(kind: name.hasSuffix(".png") ? .png : .jpeg))
            var out: [UInt8] = []
            do {
                for start in stride(from: 0, to: bytes.count, by: 777) { out += try stripper.update(bytes[start..<min(start + 777, bytes.count)]) }
                out += try stripper.finish()
                #expect(out.count <= bytes.count + 64)  // at most the small orientation block is added
            } catch ImageMetadataStripper.Failure.malformed {
                continue
            }
        }
    }
}
