import ArgumentParser
import CareVaultCore
import CareVaultServer
import CareVaultStore
import Foundation

/// `carevault migrate`: applies pending database migrations.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "migrate", abstract: "Apply pending database migrations.")
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let numbers = try await withCommandEnvironment(configuration: try global.configuration(), logger: global.commandLogger) { env in
            try await Migrator(database: env.database).appliedNumbers()
        }
        print("Database is up to date (migrations applied: \(numbers.map(String.init).joined(separator: ", "))).")
    }
}

/// `carevault staff create`: creates a clinician, staff or admin account.
struct StaffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "staff", abstract: "Manage staff accounts.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a clinician, staff or admin account.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Email address the person signs in with.") var email: String
        @Option(help: "The person's full name.") var name: String
        @Option(help: "clinician, staff or admin.") var role: String
        @Flag(name: .customLong("password-stdin"), help: "Read the password from standard input (required).") var passwordStdin = false

        func run() async throws {
            guard passwordStdin else { throw CLIError("--password-stdin: required; pipe the password in so it never appears in the process list.") }
            guard let parsedRole = Role(rawValue: role.lowercased()), parsedRole != .patient else {
                throw CLIError("--role: must be clinician, staff or admin.")
            }
            let password = try readPasswordFromStandardInput()
            do {
                let account = try await withCommandEnvironment(configuration: try global.configuration(), logger: global.commandLogger) { env in
                    try await AccountService(env: env).createStaff(email: email, name: name, role: parsedRole, password: password,
                                                                   by: nil, info: .commandLine)
                }
                print("Created \(account.role.rawValue) account \(account.email). They must turn on two-step sign-in at first sign-in.")
            } catch let failure as ValidationFailure {
                throw failure.cliError(options: ["email": "--email", "name": "--name", "role": "--role", "password": "password"])
            }
        }
    }
}

/// `carevault patient create|code`: registers patients and issues activation codes.
struct PatientCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "patient", abstract: "Manage patient records.", subcommands: [Create.self, Code.self])

    static let options = ["mrn": "--mrn", "givenName": "--given", "familyName": "--family", "birthDate": "--birth-date", "email": "--email"]

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Register a patient and print their activation code.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Patient ID (medical record number).") var mrn: String
        @Option(help: "Given (first) name.") var given: String
        @Option(help: "Family (last) name.") var family: String
        @Option(name: .customLong("birth-date"), help: "Date of birth, YYYY-MM-DD.") var birthDate: String
        @Option(help: "Email address (optional).") var email: String?

        func run() async throws {
            do {
                let (patient, code) = try await withCommandEnvironment(configuration: try global.configuration(), logger: global.commandLogger) { env in
                    try await AccountService(env: env).createPatient(mrn: mrn, givenName: given, familyName: family, birthDate: birthDate,
                                                                     email: email, organization: nil, by: nil, info: .commandLine)
                }
                print("Registered \(patient.fullName) (patient ID \(patient.mrn)).")
                print("Activation code: \(code.display)  (single use, expires in 30 days)")
            } catch let failure as ValidationFailure {
                throw failure.cliError(options: PatientCommand.options)
            }
        }
    }

    struct Code: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Issue a fresh activation code for an existing patient.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Patient ID (medical record number).") var mrn: String

        func run() async throws {
            do {
                let code = try await withCommandEnvironment(configuration: try global.configuration(), logger: global.commandLogger) { env in
                    let patient = try await env.database.read { sql in
                        try await PatientRepository(sql).find(mrn: mrn, organization: try await PatientRepository(sql).defaultOrganization())
                    }
                    guard let patient else { throw CLIError("--mrn: no patient has the patient ID \(mrn).") }
                    return try await AccountService(env: env).issueActivationCode(for: patient, by: nil, info: .commandLine)
                }
                print("Activation code: \(code.display)  (single use, expires in 30 days; earlier codes no longer work)")
            } catch let failure as ValidationFailure {
                throw failure.cliError(options: PatientCommand.options)
            }
        }
    }
}

/// `carevault outbox`: shows queued email (development: read confirmation and reset links here).
struct OutboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "outbox", abstract: "List queued email, newest first.")
    @OptionGroup var global: GlobalOptions
    @Option(help: "How many messages to show.") var limit = 20

    func run() async throws {
        let text = try await withCommandEnvironment(configuration: try global.configuration(), logger: global.commandLogger) { env in
            let messages = try await env.database.read { try await OutboxRepository($0).list(limit: max(1, limit)) }
            return try messages.map { m in
                "To: \(m.recipient)\nSubject: \(m.subject)\nQueued: \(m.createdAt)\n\n\(try env.mailer.body(of: m))\n"
            }.joined(separator: "\n----\n")
        }
        print(text.isEmpty ? "The outbox is empty." : text)
    }
}

/// `carevault audit verify`: checks the audit log's hash chain.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "audit", abstract: "Audit log tools.", subcommands: [Verify.self])

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Check that no audit row was changed or removed (exit 0 if intact).")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let result = try await withCommandEnvironment(configuration: try global.configuration(), logger: global.commandLogger) { env in
                try await env.database.read { try await AuditLogRepository($0, kind: env.database.kind).verify() }
            }
            switch result {
            case .intact(let rows):
                print("Audit log intact: \(rows) rows, every hash matches.")
            case .broken(let sequence, let reason):
                print("Audit log BROKEN at row \(sequence): \(reason).")
                throw ExitCode(3)
            }
        }
    }
}
