import ArgumentParser
import CareVaultServer
import Logging

/// `carevault`: the CareVault server and its administration commands.
@main
struct CareVaultCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "carevault",
        abstract: "CareVault: a self-hosted patient portal and personal health vault.",
        subcommands: [ServeCommand.self, MigrateCommand.self, StaffCommand.self, PatientCommand.self, ExportCommand.self,
                      ImportCommand.self, OrganizationCommand.self, OutboxCommand.self, AuditCommand.self, DICOMCommand.self],
        defaultSubcommand: ServeCommand.self
    )

    static func main() async {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .info
            return handler
        }
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
