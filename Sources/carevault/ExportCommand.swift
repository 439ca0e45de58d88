import ArgumentParser
import CareVaultCore
import CareVaultServer
import CareVaultStore
import Foundation

/// `carevault export --mrn M --out FILE`: the patient's whole record as one ZIP (right of access).
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export a patient's whole record as one ZIP: FHIR Bundle, NDJSON, health-summary PDF, lab CSV, original files, README.",
        discussion: "The export holds what the patient can see: items still held for a clinician's release are left out. Every record in it is audited.")
    @OptionGroup var global: GlobalOptions
    @Option(help: "Patient ID (medical record number).") var mrn: String
    @Option(help: "Where to write the ZIP file.") var out: String

    func run() async throws {
        let target = URL(fileURLWithPath: out)
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: target.deletingLastPathComponent().path, isDirectory: &isFolder), isFolder.boolValue else {
            throw CLIError("--out: the folder \(target.deletingLastPathComponent().path) does not exist.")
        }
        let summary = try await withCommandEnvironment(configuration: try global.configuration(), logger: global.commandLogger) { env in
            let patient = try await env.database.read { sql in
                try await PatientRepository(sql).find(mrn: mrn, organization: try await PatientRepository(sql).defaultOrganization())
            }
            guard let patient else { throw CLIError("--mrn: no patient has the patient ID \(mrn).") }
            return try await RecordExportService(env: env).export(patient, operatorInfo: .commandLine, to: target)
        }
        print("Wrote \(out): \(summary.resources) records, \(summary.attachments) original files, \(summary.bytes) bytes.")
    }
}
