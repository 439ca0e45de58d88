import ArgumentParser
import CareVaultCore
import CareVaultServer
import Foundation

/// `carevault import PATH…`: imports FHIR R4 bundles (files, or folders of `.json` files).
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Import FHIR R4 bundles; each bundle is all-or-nothing.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "Bundle files, or folders holding them.") var paths: [String]

    func run() async throws {
        var found: [String] = []
        for path in paths {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { throw CLIError("\(path): no such file or folder") }
            if isFolder.boolValue {
                let names = try FileManager.default.contentsOfDirectory(atPath: path).filter { $0.hasSuffix(".json") }.sorted()
                found += names.map { (path as NSString).appendingPathComponent($0) }
            } else {
                found.append(path)
            }
        }
        let configuration = try global.configuration()
        let files = found
        let failures = try await withCommandEnvironment(configuration: configuration, logger: global.commandLogger) { env in
            var failures = 0
            for file in files {
                let name = (file as NSString).lastPathComponent
                do {
                    let data = try Data(contentsOf: URL(fileURLWithPath: file))
                    let summary = try await RecordImportService(env: env).importBundle(data, source: name, by: nil, info: .commandLine)
                    let counts = summary.counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
                    print("\(name): patient \(summary.patient.mrn) \(summary.patient.fullName)\(summary.patientCreated ? " (new)" : "")")
                    print("  \(counts)")
                    print("  \(summary.created) new, \(summary.updated) updated, \(summary.unchanged) unchanged")
                } catch let error as BundleImportError {
                    failures += 1
                    FileHandle.standardError.write(Data("\(name): not imported (nothing stored): \(error)\n".utf8))
                }
            }
            return failures
        }
        if failures > 0 { throw ExitCode(1) }
    }
}
