import ArgumentParser
import CareVaultCore
import CareVaultServer
import Configuration
import Foundation
import Logging

/// Options every command shares. Each flag overrides its environment variable, which overrides the default.
struct GlobalOptions: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: "Folder for the SQLite file, uploads and the master key (env CAREVAULT_DATA_DIR; default ./data).")
    var dataDirectory: String?

    @Option(name: .customLong("database-url"), help: "postgres://user:password@host:port/db to use PostgreSQL (env DATABASE_URL).")
    var databaseURL: String?

    /// The configuration: these flags, then the environment, then defaults.
    func configuration(extra: [AbsoluteConfigKey: ConfigValue] = [:]) throws -> CareVaultConfiguration {
        var values = extra
        if let dataDirectory { values[AbsoluteConfigKey(["carevault", "dataDir"])] = ConfigValue(.string(dataDirectory), isSecret: false) }
        if let databaseURL { values[AbsoluteConfigKey(["database", "url"])] = ConfigValue(.string(databaseURL), isSecret: true) }
        let reader = ConfigReader(providers: [
            InMemoryProvider(name: "command line", values: values),
            EnvironmentVariablesProvider(),
        ])
        do {
            return try CareVaultConfiguration(reader: reader)
        } catch let error as ConfigurationError {
            throw CLIError(error.description)
        }
    }

    /// Commands log only warnings, so their own output stays readable.
    var commandLogger: Logger {
        var logger = Logger(label: "carevault")
        logger.logLevel = .warning
        return logger
    }
}

/// An error the user can act on, printed without a stack trace; exit status 1.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension ValidationFailure {
    /// The failure as command-line errors, naming the option for each field.
    func cliError(options: [String: String]) -> CLIError {
        CLIError(errors.map { "\(options[$0.field] ?? $0.field): \($0.message)" }.joined(separator: "\n"))
    }
}

/// Reads a password from standard input (first line), as scripts pass it.
func readPasswordFromStandardInput() throws -> String {
    guard let line = readLine(strippingNewline: true), !line.isEmpty else {
        throw CLIError("password: none was given on standard input (use --password-stdin and pipe the password in).")
    }
    return line
}
