import ArgumentParser
import CareVaultCore
import CareVaultServer
import Foundation

/// `carevault organization patient-id-system`: which identifier system the clinic's patient IDs are in.
struct OrganizationCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "organization", abstract: "Settings of the organization that holds the records.",
                                                    subcommands: [PatientIDSystem.self])

    struct PatientIDSystem: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "patient-id-system",
            abstract: "Show or name the identifier system of the clinic's patient IDs.",
            discussion: """
                Imports match a bundle's patient on the patient ID's system and value. Without a system named here, \
                the patient ID is the identifier typed MR; with one, it is the identifier in that system.
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The system URI (e.g. urn:oid:1.2.36.146.595.217.0.1); omit it to show the current one.") var system: String?
        @Flag(help: "Stop naming a system: the identifier typed MR is the patient ID again.") var clear = false

        func run() async throws {
            if let system, !(system.contains(":") && !system.contains(where: \.isWhitespace)) {
                throw CLIError("system: must be a URI without spaces, such as urn:oid:1.2.3 or https://hospital.example/mrn")
            }
            let shown = try await withCommandEnvironment(configuration: try global.configuration(), logger: global.commandLogger) { env in
                let settings = OrganizationSettingsService(env: env)
                if clear || system != nil { try await settings.setPatientIDSystem(clear ? nil : system, by: nil, info: .commandLine) }
                return try await settings.patientIDSystem()
            }
            print(shown.map { "Patient IDs are the identifiers in \($0)." } ?? "Patient IDs are the identifiers typed MR (no system named).")
        }
    }
}
