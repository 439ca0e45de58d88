import CareVaultCore
import CareVaultMultipart
import Foundation
import NIOCore
import Testing

/// Inputs the fuzz targets (Fuzz/, run by scripts/fuzz) once crashed or hung on, kept so that what
/// was fixed stays fixed. Each file in Fixtures/fuzz is named `<target>-<what>.bin` and is fed to the
/// parser that target fuzzes, the way the target fed it; it must be read or refused, in time.
@Suite("Inputs the fuzzers found")
struct FuzzRegressionTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/fuzz")

    /// Each target's parser, called as the target calls it (without the target's own cross-checks).
    static let parsers: [String: @Sendable ([UInt8]) -> Void] = [
        "FuzzDICOM": { bytes in
            _ = try? DICOMHeader.read(bytes)
            // What leaves must read back with nothing identifying but its (shifted) dates.
            if let clean = try? DICOMDeidentifier(secret: Array("fuzz".utf8), dates: .shift(days: -40)).deidentify(bytes) {
                let dates: Set<String> = ["(0008,0020)", "(0008,0021)", "(0008,0022)", "(0008,0023)"]
                #expect((try? DICOMHeader.read(clean))?.identifying.allSatisfy { dates.contains($0.tag) } == true, "identifying elements left")
            }
        },
        "FuzzJPEG": { strip($0, .jpeg) },
        "FuzzPNG": { strip($0, .png) },
        "FuzzTIFF": { bytes in _ = (try? TIFFMetadataScrubber.edits(for: bytes)).map { apply($0, to: bytes) } },
        "FuzzHEIF": { bytes in _ = (try? HEIFMetadataScrubber.edits(for: bytes)).map { apply($0, to: bytes) } },
        "FuzzJSON": { bytes in
            _ = (try? JSONParser.parse(bytes)).map { try? JSONParser.parse($0.jsonText) }
            _ = bytes.withUnsafeBytes { try? JSONParser.scanBundle(raw: $0) }
        },
        "FuzzBundleImport": { bytes in _ = (try? JSONParser.parse(bytes)).map { try? BundleImportPlan(bundle: $0) } },
        "FuzzReadingsCSV": { bytes in
            guard let text = String(data: Data(bytes), encoding: .utf8) else { return }
            _ = try? ReadingsCSV.rows(text, now: Date(timeIntervalSince1970: 1_796_212_800), timeZone: TimeZone(identifier: "America/Chicago")!)
        },
        "FuzzMultipart": { bytes in
            for size in [1, 7, bytes.count] where size > 0 {
                var parser = MultipartStreamParser(boundary: boundary(of: bytes))
                for start in stride(from: 0, to: bytes.count, by: size) {
                    do { try parser.feed(ByteBuffer(bytes: bytes[start..<min(start + size, bytes.count)])) { _ in } } catch { break }
                }
            }
        },
        "FuzzUploadSniffer": { bytes in
            _ = UploadSniffer.kind(of: Array(bytes.prefix(UploadSniffer.prefixLength)), fileName: "file.csv")
            for kind in UploadKind.allCases { _ = kind.safeFileName(from: String(decoding: bytes.prefix(512), as: UTF8.self)) }
        },
    ]

    /// The boundary as FuzzMultipart takes it: the body's first line after `--`, without trailing padding.
    static func boundary(of bytes: [UInt8]) -> String {
        guard bytes.starts(with: [0x2D, 0x2D]) else { return "b" }
        var line = bytes.dropFirst(2).prefix { $0 != 0x0D && $0 != 0x0A }
        while let last = line.last, last == 0x20 || last == 0x09 { line = line.dropLast() }
        return (1...70).contains(line.count) ? String(decoding: line, as: UTF8.self) : "b"
    }

    static func strip(_ bytes: [UInt8], _ kind: UploadKind) {
        for size in [1, 7, 4096] {
            var stripper = ImageMetadataStripper(kind: kind)!
            do {
                for start in stride(from: 0, to: bytes.count, by: size) { _ = try stripper.update(bytes[start..<min(start + size, bytes.count)]) }
                _ = try stripper.finish()
            } catch {}
        }
    }

    static func apply(_ edits: ImageEdits, to bytes: [UInt8]) {
        var edits = edits
        for start in stride(from: 0, to: bytes.count, by: 333) {
            var chunk = Array(bytes[start..<min(start + 333, bytes.count)])
            edits.apply(to: &chunk, at: start)
        }
    }

    @Test("Every saved input is read or refused by its parser within 10 seconds")
    func replay() throws {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: Self.folder.path)) ?? []).filter { $0.hasSuffix(".bin") }.sorted()
        for name in names {
            let target = String(name.prefix { $0 != "-" })
            guard let parse = Self.parsers[target] else {
                Issue.record("\(name): no fuzz target named \(target); name it <target>-<what>.bin")
                continue
            }
            let bytes = Array(try Data(contentsOf: Self.folder.appendingPathComponent(name)))
            let started = ContinuousClock.now
            parse(bytes)
            #expect(ContinuousClock.now - started < .seconds(10), "\(name) took \(ContinuousClock.now - started)")
        }
    }
}
