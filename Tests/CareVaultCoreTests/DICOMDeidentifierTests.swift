import CareVaultCore
import Foundation
import Testing

/// The de-identifier on the samples, read back with our own header reader (the independent check with
/// pydicom, dicom-anonymizer and dicognito is python-tests/dicom/check_deidentification.py).
@Suite("DICOM de-identification")
struct DICOMDeidentifierTests {
    static let folder = DICOMHeaderTests.folder
    static func bytes(_ name: String) throws -> [UInt8] { Array(try Data(contentsOf: folder.appendingPathComponent(name))) }
    static let share = DICOMDeidentifier(secret: Array("share one".utf8), dates: .shift(days: -100))

    @Test("Nothing identifying is left but the shifted dates; the pixels are kept", arguments: [
        "CT_small.dcm", "MR_small.dcm", "MR_small_bigendian.dcm", "MR_small_implicit.dcm", "JPEG-lossy.dcm", "test-SR.dcm", "waveform_ecg.dcm",
        "examples_jpeg2k.dcm", "examples_overlay.dcm", "examples_ybr_color.dcm",
    ])
    func deidentified(file: String) throws {
        let original = try Self.bytes(file)
        let before = try DICOMHeader.read(original)
        let clean = try Self.share.deidentify(original)
        let after = try DICOMHeader.read(clean)
        let dates = ["Study date", "Series date", "Acquisition date", "Content date"]
        #expect(after.identifying.allSatisfy { dates.contains($0.name) }, "\(after.identifying)")
        for element in after.identifying {
            let old = try #require(before.identifying.first { $0.tag == element.tag })
            #expect(element.value != old.value, "\(element.name) was not shifted")
        }
        #expect(after.modality == before.modality && after.rows == before.rows && after.frames == before.frames)
        #expect(String(decoding: clean, as: UTF8.self).contains("YES"))
        // The pixel data is carried over byte for byte: from its tag on, the new file is the original's pixel element.
        if let from = Self.pixelData(original), let to = Self.pixelData(clean) {
            let tail = Array(clean[to...])
            #expect(tail.count > 8 && Array(original[from..<min(from + tail.count, original.count)]) == tail, "\(file): pixels changed")
        } else {
            #expect(Self.pixelData(original) == nil && Self.pixelData(clean) == nil, "\(file): pixel data lost")
        }
    }

    /// Where the last Pixel Data element (7FE0,0010) starts, in either byte order.
    static func pixelData(_ bytes: [UInt8]) -> Int? {
        guard bytes.count > 4 else { return nil }
        return (0...(bytes.count - 4)).last { i in
            (bytes[i] == 0xE0 && bytes[i + 1] == 0x7F && bytes[i + 2] == 0x10 && bytes[i + 3] == 0x00)
                || (bytes[i] == 0x7F && bytes[i + 1] == 0xE0 && bytes[i + 2] == 0x00 && bytes[i + 3] == 0x10)
        }
    }

    @Test("UIDs are replaced the same way within a share and differently in another; dates can be kept")
    func uidsAndDates() throws {
        let uid = "1.3.6.1.4.1.5962.1.2.1.20040119072730.12322"
        #expect(Self.share.replacement(forUID: uid) == Self.share.replacement(forUID: uid))
        #expect(Self.share.replacement(forUID: uid).hasPrefix("2.25.") && Self.share.replacement(forUID: uid).count <= 64)
        let other = DICOMDeidentifier(secret: Array("share two".utf8), dates: .keep)
        #expect(other.replacement(forUID: uid) != Self.share.replacement(forUID: uid))
        let kept = try DICOMHeader.read(try other.deidentify(try Self.bytes("CT_small.dcm")))
        let original = try DICOMHeader.read(try Self.bytes("CT_small.dcm"))
        #expect(kept.identifying.first { $0.name == "Study date" }?.value == original.identifying.first { $0.name == "Study date" }?.value)
        #expect(DICOMDeidentifier.shiftDays(secret: Array("x".utf8)) == DICOMDeidentifier.shiftDays(secret: Array("x".utf8)))
        #expect((-395 ... -30).contains(DICOMDeidentifier.shiftDays(secret: Array("x".utf8))))
    }

    @Test("A file that cannot be read whole does not leave", arguments: ["MR_truncated.dcm", "no_meta.dcm", "rtstruct.dcm"])
    func refused(file: String) throws {
        #expect(throws: DICOMDeidentifier.Failure.self) { try Self.share.deidentify(try Self.bytes(file)) }
    }
}
