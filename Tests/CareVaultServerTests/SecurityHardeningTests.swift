import CareVaultCore
@testable import CareVaultServer
import CareVaultStore
import Foundation
import SQLKit
import Testing

/// The smaller findings of the outside security review, each as it was found: lock-out races,
/// password checks without a limit, oversized forms, uploads listed without an audit row each,
/// database detail in the log, and files others could read.
@Suite("Security hardening")
struct SecurityHardeningTests {
    static func count(_ env: AppEnvironment, action: AuditAction) async throws -> Int {
        try await env.database.read { try await AuditLogRepository($0, kind: env.database.kind).latest(limit: 500) }
            .filter { $0.event.action == action }.count
    }

    @Test("Twelve wrong passwords at once get at most five real checks against a threshold of five", arguments: testDatabases)
    func concurrentGuesses(kind: DatabaseKind) async throws {
        // A real bcrypt cost, so the guesses overlap as they did in the review (10 of 12 were checked). They go to the
        // service at once: the test client sends its requests one after another over one connection.
        try await TestApp.run(kind, configure: { $0.passwordHashCost = 10 }) { client, env in
            let (_, email) = try await Flows.signedInPatient(Browser(client), env)
            let before = try await Self.count(env, action: .signInFailed)
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<12 {
                    group.addTask { _ = try? await SignInService(env: env).signIn(email: email, password: "a wrong password guessed", info: .commandLine) }
                }
            }
            let checked = try await Self.count(env, action: .signInFailed) - before
            #expect(checked == LockoutPolicy.threshold, "\(checked) guesses were checked")
            #expect(try await Flows.signIn(Browser(client), email: email).status == .unauthorized, "the right password worked during the lock-out")
        }
    }

    @Test("Changing the password, turning off two-step sign-in and new recovery codes share the sign-in lock-out", arguments: testDatabases)
    func passwordChecksLimited(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { client, env in
            let browser = Browser(client)
            let (_, email) = try await Flows.signedInPatient(browser, env)
            _ = try await Flows.enrolTOTP(browser)
            let account = try #require(try await env.database.read { try await AccountRepository($0).find(email: email) })
            for _ in 0..<2 {
                await #expect(throws: ValidationFailure.self) {
                    try await TwoFactorService(env: env).disable(for: account, password: "not my password at all", info: .commandLine)
                }
                await #expect(throws: ValidationFailure.self) {
                    _ = try await TwoFactorService(env: env).regenerateRecoveryCodes(for: account, password: "not my password at all", info: .commandLine)
                }
            }
            // The fifth wrong password, through the change-password page, locks the account…
            _ = try await browser.get(Paths.changePassword)
            let fifth = try await browser.post(Paths.changePassword, ["currentPassword": "not my password at all", "newPassword": "a brand new passphrase here"])
            #expect(fifth.status == .badRequest)
            #expect(fifth.body.contains("paused"))
            // …so now even the right password is refused, and nothing changes.
            do {
                try await TwoFactorService(env: env).disable(for: account, password: Flows.password, info: .commandLine)
                Issue.record("two-step sign-in was turned off during a lock-out")
            } catch let failure as ValidationFailure {
                #expect(failure.error("password")?.contains("paused") == true)
            }
            #expect(try await env.database.read { try await AccountRepository($0).find(email: email) }?.hasSecondFactor == true)
            #expect(try await Self.count(env, action: .passwordCheckFailed) == 5)
            #expect(try await Self.count(env, action: .lockedOut) == 1)
        }
    }

    @Test("A right password between wrong ones does not reset the count", arguments: testDatabases)
    func rightPasswordDoesNotReset(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { client, env in
            let (_, email) = try await Flows.signedInPatient(Browser(client), env)
            let account = try #require(try await env.database.read { try await AccountRepository($0).find(email: email) })
            for attempt in 0..<8 {
                // Wrong, wrong, right, wrong, wrong, right…: the right ones are checks of a signed-in person, not sign-ins.
                let password = attempt % 3 == 2 ? Flows.password : "not my password at all"
                _ = try? await AttemptThrottle(env: env).confirmPassword(password, of: account, field: "password", info: .commandLine)
            }
            #expect(try await Self.count(env, action: .lockedOut) == 1)
        }
    }

    @Test("A form over 1 MB is refused with 413 and a page that says so, not a server error", arguments: [DatabaseKind.sqlite])
    func oversizedForm(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { client, env in
            let browser = Browser(client)
            _ = try await browser.get(Paths.signIn)
            let page = try await browser.post(Paths.signIn, ["email": "a@example.org", "password": String(repeating: "x", count: 2 << 20)])
            #expect(page.status == .contentTooLarge)
            #expect(page.body.contains("larger than 1 MB"))
        }
    }

    @Test("The uploads list audits one read per file it shows", arguments: testDatabases)
    func uploadsListAudited(kind: DatabaseKind) async throws {
        try await PatientUploadTests.run(kind, .files) { browser, env, patient in
            _ = try await browser.postMultipart(Paths.uploads(patient.id.description), files: [
                .init(name: "a.txt", type: "text/plain", bytes: Array("first note".utf8)),
                .init(name: "b.txt", type: "text/plain", bytes: Array("second note".utf8)),
            ])
            let uploads = try await env.database.read { try await UploadRepository($0).list(patient: patient.id, visibility: .wholeRecord, limit: 10, offset: 0) }
            #expect(uploads.count == 2)
            let before = try await env.database.read { try await AuditLogRepository($0, kind: kind).latest(limit: 500) }.count
            _ = try await browser.get(Paths.uploads(patient.id.description))
            let after = try await env.database.read { try await AuditLogRepository($0, kind: kind).latest(limit: 500) }
            let reads = after.prefix(after.count - before).filter { $0.event.action == .recordRead && $0.event.resourceType == "DocumentReference" }
            #expect(reads.count == 1, "one event for the request")
            #expect(Set(reads.flatMap(\.event.entities)).isSuperset(of: uploads.map { "DocumentReference/\($0.documentID)" }))
        }
    }

    @Test("A PostgreSQL error is logged by SQLSTATE and constraint, never with the row it quotes")
    func loggedDatabaseError() async throws {
        guard testDatabases.contains(.postgresql) else { return }
        try await TestApp.run(.postgresql) { _, env in
            try await env.database.write { try await $0.raw("CREATE TABLE leak_check (name TEXT UNIQUE)").run() }
            try await env.database.write { try await $0.raw("INSERT INTO leak_check VALUES ('Maria Lopez, HIV positive')").run() }
            do {
                try await env.database.write { try await $0.raw("INSERT INTO leak_check VALUES ('Maria Lopez, HIV positive')").run() }
                Issue.record("the duplicate was stored")
            } catch {
                #expect(String(reflecting: error).contains("Maria Lopez"), "the driver's own text quotes the row (the reason for this)")
                let logged = LoggableError.describe(error)
                #expect(logged.contains("SQLSTATE 23505") && logged.contains("leak_check_name_key"))
                #expect(!logged.contains("Maria"))
            }
        }
    }

    static func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int ?? 0) & 0o777
    }

    @Test("Everything in the data folder is private: the database 0600, folders 0700, loose modes repaired at start-up")
    func dataFolderModes() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("modes-\(UUID().uuidString)")
        let looseFolder = folder.appendingPathComponent("copied-by-hand")
        try FileManager.default.createDirectory(at: looseFolder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let loose = looseFolder.appendingPathComponent("notes.txt")
        try Data("kept beside the data".utf8).write(to: loose)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: loose.path)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: looseFolder.path)

        let logs = LogCapture()
        try await TestApp.run(.sqlite, logger: logs.logger, configure: { $0.dataDirectory = folder }) { client, env in
            #expect(try Self.mode(loose.path) == 0o600 && Self.mode(looseFolder.path) == 0o700)
            #expect(logs.text.contains("Tightened permissions in the data folder"))
            let browser = Browser(client)
            let (patient, _) = try await Flows.signedInPatient(browser, env)
            let export = try await browser.get(Paths.exportZIP(patient.id.description))
            #expect(export.status == .ok)
            // The service writes its ZIP private whatever the umask.
            let zip = folder.appendingPathComponent("tmp/check.zip")
            try FileManager.default.createDirectory(at: zip.deletingLastPathComponent(), withIntermediateDirectories: true)
            _ = try await RecordExportService(env: env).export(patient, operatorInfo: .commandLine, to: zip)
            #expect(try Self.mode(zip.path) == 0o600)
            let sqlite = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.contains(".sqlite") }
            #expect(!sqlite.isEmpty)
            for name in sqlite { #expect(try Self.mode(folder.appendingPathComponent(name).path) == 0o600, "\(name)") }
            #expect(try Self.mode(folder.appendingPathComponent("master.key").path) == 0o600)
            #expect(try Self.mode(folder.path) == 0o700)
        }
    }
}
