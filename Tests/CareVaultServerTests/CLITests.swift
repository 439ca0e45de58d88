import CareVaultCore
@testable import CareVaultServer
import CareVaultStore
import Foundation
import SQLKit
import Testing

/// The `carevault` command as an operator runs it: the built binary, real files, a real database.
@Suite("Command line")
struct CLITests {
    static let binary: String = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/carevault").path
    }()

    /// A data folder (and database) for one test, and a way to run commands against it.
    struct Installation {
        let dataDirectory: String
        let databaseURL: String?

        static func make(_ kind: DatabaseKind) async throws -> Installation {
            let configuration = try await TestApp.configuration(kind)
            return Installation(dataDirectory: configuration.dataDirectory.path, databaseURL: configuration.databaseURL)
        }

        func run(_ arguments: [String], input: String? = nil) throws -> Command.Result {
            var environment = ProcessInfo.processInfo.environment
            environment["CAREVAULT_DATA_DIR"] = dataDirectory
            environment["DATABASE_URL"] = databaseURL
            return try Command.run(CLITests.binary, arguments, environment: environment, input: input)
        }

        func remove() { try? FileManager.default.removeItem(atPath: dataDirectory) }
    }

    @Test("staff create and patient create work from a script, and bad input names the option", arguments: testDatabases)
    func createAccounts(kind: DatabaseKind) async throws {
        #expect(FileManager.default.isExecutableFile(atPath: Self.binary), "build the carevault product first")
        let site = try await Installation.make(kind)
        defer { site.remove() }

        let staff = try site.run(["staff", "create", "--email", "Doc@Example.org", "--name", "Dr Who", "--role", "clinician", "--password-stdin"],
                                 input: "a long and lovely passphrase\n")
        #expect(staff.status == 0, "\(staff.output)")
        #expect(staff.output.contains("Created clinician account doc@example.org"))

        let weak = try site.run(["staff", "create", "--email", "x@example.org", "--name", "X", "--role", "staff", "--password-stdin"], input: "password1234\n")
        #expect(weak.status != 0)
        #expect(weak.output.contains("password: This password is on a list"))
        let badRole = try site.run(["staff", "create", "--email", "x@example.org", "--name", "X", "--role", "wizard", "--password-stdin"], input: "x\n")
        #expect(badRole.status != 0)
        #expect(badRole.output.contains("--role"))
        let noStdin = try site.run(["staff", "create", "--email", "x@example.org", "--name", "X", "--role", "staff"])
        #expect(noStdin.status != 0)
        #expect(noStdin.output.contains("--password-stdin"))
        let duplicate = try site.run(["staff", "create", "--email", "doc@example.org", "--name", "Dr Who", "--role", "clinician", "--password-stdin"],
                                     input: "a long and lovely passphrase\n")
        #expect(duplicate.status != 0)
        #expect(duplicate.output.contains("--email: An account with this email address already exists."))

        let patient = try site.run(["patient", "create", "--mrn", "CLI-1", "--given", "Sam", "--family", "Ngata", "--birth-date", "1970-01-31"])
        #expect(patient.status == 0, "\(patient.output)")
        let code = try #require(patient.output.firstMatch(of: /Activation code: ([0-9A-Z-]{14})/)?.output.1)
        #expect(code.count == 14)

        let bad = try site.run(["patient", "create", "--mrn", "CLI 2", "--given", "", "--family", "Ngata", "--birth-date", "1970-02-30", "--email", "nope"])
        #expect(bad.status != 0)
        for option in ["--mrn:", "--given:", "--birth-date:", "--email:"] { #expect(bad.output.contains(option), "missing \(option)") }

        let again = try site.run(["patient", "code", "--mrn", "CLI-1"])
        #expect(again.status == 0)
        #expect(again.output.contains("Activation code:"))
        let unknown = try site.run(["patient", "code", "--mrn", "NOPE"])
        #expect(unknown.status != 0)
        #expect(unknown.output.contains("--mrn: no patient has the patient ID NOPE"))

        let migrate = try site.run(["migrate"])
        #expect(migrate.status == 0)
        #expect(migrate.output.contains("Database is up to date"))
    }

    @Test("audit verify exits 0 on an intact chain and non-zero naming the first bad row", arguments: testDatabases)
    func auditVerify(kind: DatabaseKind) async throws {
        let site = try await Installation.make(kind)
        defer { site.remove() }
        for mrn in ["A-1", "A-2", "A-3"] {
            #expect(try site.run(["patient", "create", "--mrn", mrn, "--given", "Al", "--family", "Bo", "--birth-date", "1980-01-01"]).status == 0)
        }
        let intact = try site.run(["audit", "verify"])
        #expect(intact.status == 0, "\(intact.output)")
        #expect(intact.output.contains("Audit log intact: 6 rows"))

        let configuration = CareVaultConfiguration(dataDirectory: URL(fileURLWithPath: site.dataDirectory), databaseURL: site.databaseURL)
        try await Database.withOpened(try configuration.databaseLocation, logger: TestApp.logger) { database in
            try await database.write { try await $0.raw("UPDATE audit_log SET resource_id = 'someone-else' WHERE seq = 4").run() }
        }
        let broken = try site.run(["audit", "verify"])
        #expect(broken.status == 3)
        #expect(broken.output.contains("Audit log BROKEN at row 4"))
    }

    @Test("outbox shows queued mail, decrypted", arguments: testDatabases)
    func outbox(kind: DatabaseKind) async throws {
        let site = try await Installation.make(kind)
        defer { site.remove() }
        #expect(try site.run(["outbox"]).output.contains("The outbox is empty."))
        let configuration = CareVaultConfiguration(dataDirectory: URL(fileURLWithPath: site.dataDirectory), databaseURL: site.databaseURL,
                                                   passwordHashCost: 4)
        try await withCommandEnvironment(configuration: configuration, logger: TestApp.logger) { env in
            _ = try await AccountService(env: env).createStaff(email: "mail@example.org", name: "Mail", role: .staff, password: Flows.password,
                                                               by: nil, info: .commandLine)
            try await PasswordService(env: env).requestReset(email: "mail@example.org", info: .commandLine)
        }
        let listing = try site.run(["outbox"])
        #expect(listing.status == 0)
        #expect(listing.output.contains("To: mail@example.org"))
        #expect(listing.output.contains("/password/reset?token="))
    }

    @Test("A bad DATABASE_URL is a clear error, not a crash")
    func badDatabaseURL() throws {
        let result = try Command.run(Self.binary, ["migrate"], environment: ["DATABASE_URL": "mysql://nope", "CAREVAULT_DATA_DIR": "/tmp/cv-bad-url"])
        #expect(result.status != 0)
        #expect(result.output.contains("DATABASE_URL must look like postgres://"))
        try? FileManager.default.removeItem(atPath: "/tmp/cv-bad-url")
    }
}
