import CareVaultCore
import Foundation
import Testing

/// Our header reader against pydicom (PyPI) on pydicom's own sample files: explicit and implicit VR,
/// big endian, JPEG-compressed pixels, a structured report, an ECG waveform.
@Suite("DICOM headers")
struct DICOMHeaderTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/uploads")
    static let python = ExternalTool.which("python3")

    /// What pydicom reads: name|id|birth date|modality|rows|frames, or nil when pydicom is not installed.
    static func pydicom(_ path: String) throws -> String? {
        guard let python else { return nil }
        let script = """
            import sys
            try:
                import pydicom
            except ImportError:
                print("missing"); sys.exit(0)
            d = pydicom.dcmread(sys.argv[1], stop_before_pixels=True)
            name = str(d.get("PatientName", "") or "").replace("^", " ").strip()
            print("|".join([name, str(d.get("PatientID", "") or ""), str(d.get("PatientBirthDate", "") or ""), str(d.get("Modality", "") or ""),
                            str(d.get("Rows", "") or ""), str(d.get("NumberOfFrames", 1) or 1)]))
            """
        let output = try ExternalTool.run(python, ["-c", script, path]).trimmingCharacters(in: .whitespacesAndNewlines)
        return output == "missing" || output.isEmpty ? nil : output
    }

    @Test("Patient tags, modality, size and frames match pydicom", arguments: [
        "CT_small.dcm", "MR_small.dcm", "MR_small_bigendian.dcm", "MR_small_implicit.dcm", "JPEG-lossy.dcm", "test-SR.dcm", "waveform_ecg.dcm",
    ])
    func matchesPydicom(file: String) throws {
        let path = Self.folder.appendingPathComponent(file).path
        let header = try DICOMHeader.read(Array(try Data(contentsOf: URL(fileURLWithPath: path)).prefix(1 << 20)))
        let value = { (name: String) in header.identifying.first { $0.name == name }?.value ?? "" }
        let ours = [value("Patient's name"), value("Patient ID"), value("Birth date"), header.modality ?? "",
                    header.rows.map(String.init) ?? "", String(header.frames)].joined(separator: "|")
        guard let theirs = try Self.pydicom(path) else {
            #expect(!ExternalTool.required, "pydicom is required in CI")
            return
        }
        #expect(ours == theirs)
    }

    @Test("What must go before sharing is listed: name, ID, birth date, institution, dates")
    func identifying() throws {
        let header = try DICOMHeader.read(Array(try Data(contentsOf: Self.folder.appendingPathComponent("waveform_ecg.dcm"))))
        #expect(header.identifying.map(\.name).prefix(3) == ["Patient's name", "Patient ID", "Birth date"])
        #expect(header.identifying.first { $0.name == "Birth date" }?.value == "19710123")
        #expect(header.identifying.first { $0.name == "Birth date" }?.tag == "(0010,0030)")
        #expect(header.modality == "ECG")
    }

    @Test("Not Part 10, or cut off inside its header, is reported, never a crash")
    func failures() throws {
        #expect(throws: DICOMHeader.Failure.notPart10) { try DICOMHeader.read(Array(try Data(contentsOf: Self.folder.appendingPathComponent("no_meta.dcm")))) }
        let whole = Array(try Data(contentsOf: Self.folder.appendingPathComponent("MR_small.dcm")))
        for cut in stride(from: 132, to: 1200, by: 37) { _ = try? DICOMHeader.read(Array(whole.prefix(cut))) }  // no trap at any length
        let truncated = try DICOMHeader.read(Array(try Data(contentsOf: Self.folder.appendingPathComponent("MR_truncated.dcm"))))
        #expect(truncated.modality == "MR")
    }
}
