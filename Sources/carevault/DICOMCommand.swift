import ArgumentParser
import CareVaultCore
import Foundation

/// `carevault dicom deidentify`: what a DICOM file looks like when it leaves CareVault in a share —
/// for checking a file by hand, and for the tests that compare it with independent tools.
struct DICOMCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "dicom", abstract: "Work with DICOM files.",
                                                    subcommands: [Deidentify.self])

    struct Deidentify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "De-identify DICOM files as a share does (PS3.15 Basic Profile; UIDs consistent across the files of one run).")

        @Argument(help: "The DICOM files to de-identify.")
        var files: [String]

        @Option(help: "Folder for the de-identified copies (same file names).")
        var out: String

        @Option(help: "Key material: files de-identified with the same value get the same replacement UIDs.")
        var share: String = UUID().uuidString

        @Flag(help: "Keep dates as they are (otherwise they are shifted by the same number of days).")
        var keepDates = false

        func run() throws {
            let secret = Data(share.utf8)
            let deidentifier = DICOMDeidentifier(secret: secret, dates: keepDates ? .keep : .shift(days: DICOMDeidentifier.shiftDays(secret: secret)))
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            var refused = 0
            for file in files {
                let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: file)))
                let name = URL(fileURLWithPath: file).lastPathComponent
                do {
                    let clean = try deidentifier.deidentify(bytes)
                    try Data(clean).write(to: URL(fileURLWithPath: out).appendingPathComponent(name))
                    print("\(name): de-identified")
                } catch {
                    refused += 1
                    print("\(name): refused (\(error))")
                }
            }
            if refused > 0 { print("\(refused) file(s) could not be read and would not leave CareVault") }
        }
    }
}
