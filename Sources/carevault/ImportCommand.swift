import ArgumentParser
import CareVaultCore
import CareVaultServer
import CareVaultStore
import Foundation

/// `carevault import PATH…`: imports FHIR R4 bundles (files, or folders of `.json` files).
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Import FHIR R4 bundles; each bundle is all-or-nothing.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "Bundle files (.json) or NDJSON files (.ndjson, read together as one export), or folders holding them.") var paths: [String]
    @Flag(name: .customLong("dry-run"), help: "Check everything and print which patient each bundle would match, create or be refused for; store nothing.")
    var dryRun = false
    @Option(name: .customLong("same-person"),
            help: "A patient ID whose record is the bundle's person though the name or birth date differ (repeatable; the record takes the bundle's details).")
    var samePerson: [String] = []

    func run() async throws {
        var found: [String] = []
        for path in paths {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { throw CLIError("\(path): no such file or folder") }
            if isFolder.boolValue {
                let names = try FileManager.default.contentsOfDirectory(atPath: path)
                    .filter { $0.hasSuffix(".json") || $0.hasSuffix(".ndjson") }.sorted()
                found += names.map { (path as NSString).appendingPathComponent($0) }
            } else {
                found.append(path)
            }
        }
        let configuration = try global.configuration()
        let files = found
        let options = RecordImportService.Options(samePerson: Set(samePerson), dryRun: dryRun)
        let refused = dryRun ? "would be refused" : "not imported (nothing stored)"
        let failures = try await withCommandEnvironment(configuration: configuration, logger: global.commandLogger) { env in
            var failures = 0
            // NDJSON files together form one export: their resources are grouped per patient.
            let ndjson = files.filter { $0.hasSuffix(".ndjson") }
            if !ndjson.isEmpty {
                do {
                    let contents = try ndjson.map { ((($0 as NSString).lastPathComponent), try Data(contentsOf: URL(fileURLWithPath: $0))) }
                    for summary in try await RecordImportService(env: env).importNDJSON(contents.map { (name: $0.0, data: $0.1) }, by: nil, info: .commandLine,
                                                                                      options: options) {
                        print(Self.describe(summary, source: "NDJSON"))
                    }
                } catch let error as BundleImportError {
                    failures += 1
                    FileHandle.standardError.write(Data("NDJSON: \(refused): \(error)\n".utf8))
                } catch let error as ImportPatientMismatch {
                    failures += 1
                    FileHandle.standardError.write(Data("NDJSON: \(refused): \(error) (--same-person \(error.patientID))\n".utf8))
                }
            }
            for file in files where !file.hasSuffix(".ndjson") {
                let name = (file as NSString).lastPathComponent
                do {
                    let summary = try await RecordImportService(env: env).importBundle(fileAt: file, source: name, by: nil, info: .commandLine,
                                                                                       options: options)
                    print(Self.describe(summary, source: name))
                } catch let error as BundleImportError {
                    failures += 1
                    FileHandle.standardError.write(Data("\(name): \(refused): \(error)\n".utf8))
                } catch let error as ImportPatientMismatch {
                    failures += 1
                    FileHandle.standardError.write(Data("\(name): \(refused): \(error) (--same-person \(error.patientID))\n".utf8))
                } catch {
                    // A storage failure: the transaction rolled back. Its text may be driver detail, so it goes to the log only.
                    failures += 1
                    global.commandLogger.error("import failed in storage", metadata: ["file": "\(name)", "error": "\(LoggableError.describe(error))"])
                    FileHandle.standardError.write(Data("\(name): not imported (nothing stored): the database refused it\n".utf8))
                }
            }
            return failures
        }
        if failures > 0 { throw ExitCode(1) }
    }

    static func describe(_ summary: RecordImportService.Summary, source: String) -> String {
        let counts = summary.counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        let would = summary.dryRun ? "would match " : ""
        let new = summary.patientCreated ? (summary.dryRun ? " (would be created)" : " (new)") : ""
        var text = """
            \(source): \(summary.dryRun && summary.patientCreated ? "" : would)patient \(summary.patient.mrn) \(summary.patient.fullName)\(new)
              \(counts)
              \(summary.created) new, \(summary.updated) updated, \(summary.unchanged) unchanged\(summary.dryRun ? " (dry run: nothing stored)" : "")
            """
        for change in summary.demographicChanges { text += "\n  confirmed same person; \(change)" }
        let unknown = summary.unknownElements
        if !unknown.isEmpty {
            text += "\n  kept \(unknown.count) element\(unknown.count == 1 ? "" : "s") that FHIR R4 does not define, unchanged:"
            text += unknown.prefix(10).map { "\n    \($0)" }.joined()
            if unknown.count > 10 { text += "\n    … and \(unknown.count - 10) more" }
        }
        return text
    }
}
