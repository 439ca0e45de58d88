import CareVaultCore
@testable import CareVaultServer
import CareVaultStore
import Foundation
import SQLKit
import Testing

@Suite("Audit log")
struct AuditTests {
    @Test("The chain verifies; editing or deleting any row is detected and named", arguments: testDatabases)
    func tamperEvidence(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { client, env in
            let browser = Browser(client)
            let (patient, email) = try await Flows.signedInPatient(browser, env)
            try await browser.get(Paths.patientHome(patient.id.description))
            try await Flows.signIn(Browser(client), email: email, password: "wrong wrong wrong")
            let audit = AuditLogRepository.self
            let intact = try await env.database.read { try await audit.init($0, kind: kind).verify() }
            guard case .intact(let rows) = intact, rows >= 5 else {
                Issue.record("expected an intact chain of at least 5 rows, got \(intact)")
                return
            }

            // Edit one field of row 3: detected at row 3.
            try await env.database.write { try await $0.raw("UPDATE audit_log SET outcome = 'failure' WHERE seq = 3").run() }
            #expect(try await env.database.read { try await audit.init($0, kind: kind).verify() }
                    == .broken(sequence: 3, reason: "row content does not match its hash"))
            try await env.database.write { try await $0.raw("UPDATE audit_log SET outcome = 'success' WHERE seq = 3").run() }
            #expect(try await env.database.read { try await audit.init($0, kind: kind).verify() } == .intact(rows: rows))

            // Delete row 2: detected at row 2.
            try await env.database.write { try await $0.raw("DELETE FROM audit_log WHERE seq = 2").run() }
            #expect(try await env.database.read { try await audit.init($0, kind: kind).verify() } == .broken(sequence: 2, reason: "row 2 is missing"))
        }
    }

    @Test("The list of what a request showed is part of the chain: read back exactly, and any change to it is detected",
          arguments: testDatabases)
    func entitiesAreChained(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { _, env in
            let listed = AuditEvent(action: .recordRead, resourceType: "Observation", resourceID: "laboratory",
                                    entities: ["Observation/a", "", "Binary/b", ""])
            let sequence = try await env.database.write { try await AuditLogRepository($0, kind: kind).append(listed) }
            let stored = try await env.database.read { try await AuditLogRepository($0, kind: kind).latest(limit: 1) }.first
            #expect(stored?.sequence == sequence && stored?.event.entities == listed.entities)
            guard case .intact = try await env.database.read({ try await AuditLogRepository($0, kind: kind).verify() }) else {
                Issue.record("the chain did not verify with an entity list")
                return
            }
            // Dropping one item from the list is tampering like any other.
            try await env.database.write {
                try await $0.raw("UPDATE audit_log SET entities = 'Observation/a' WHERE seq = \(bind: sequence)").run()
            }
            #expect(try await env.database.read { try await AuditLogRepository($0, kind: kind).verify() }
                    == .broken(sequence: sequence, reason: "row content does not match its hash"))
        }
    }

    @Test("Removing the newest rows is detected through the chain head", arguments: testDatabases)
    func truncation(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { client, env in
            _ = try await Flows.signedInPatient(Browser(client), env)
            let last = try await env.database.read { try await AuditLogRepository($0, kind: kind).latest(limit: 1) }.first!.sequence
            try await env.database.write { try await $0.raw("DELETE FROM audit_log WHERE seq = \(bind: last)").run() }
            let result = try await env.database.read { try await AuditLogRepository($0, kind: kind).verify() }
            guard case .broken(let sequence, _) = result else {
                Issue.record("truncation not detected")
                return
            }
            #expect(sequence == last)
        }
    }

    @Test("Concurrent writers keep one unbroken chain", arguments: testDatabases)
    func concurrency(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { _, env in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for i in 0..<40 {
                    group.addTask {
                        try await env.audit.record(AuditEvent(action: .recordRead, resourceType: "Patient", resourceID: "\(i)"))
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await env.database.read { try await AuditLogRepository($0, kind: kind).verify() } == .intact(rows: 40))
        }
    }

    @Test("Account activity shows the account's security events in plain words, at the clinic's time", arguments: testDatabases)
    func activityPage(kind: DatabaseKind) async throws {
        try await TestApp.run(kind, configure: { $0.timeZone = TimeZone(identifier: "America/Chicago")! }) { client, env in
            let browser = Browser(client)
            let (patient, email) = try await Flows.signedInPatient(browser, env)
            try await Flows.signIn(Browser(client), email: email, password: "a wrong password here")
            try await browser.get(Paths.patientHome(patient.id.description))
            let page = try await browser.get(Paths.activity)
            #expect(page.status == .ok)
            #expect(page.body.contains("Failed sign-in attempt"))
            #expect(page.body.contains("Signed in"))
            #expect(page.body.contains("Account registered"))
            #expect(!page.body.contains("Record viewed"))  // record access has its own page (proxy issue)
            // Each time in words and in the clinic's zone, named: "December 2, 2026, 7:07 AM Chicago time".
            let times = page.body.matches(of: /<td>[A-Z][a-z]+ \d{1,2}, \d{4}, \d{1,2}:\d{2} [AP]M Chicago time<\/td>/)
            #expect(times.count >= 3, "\(page.body)")

            // Another patient's events are not listed.
            let other = Browser(client)
            _ = try await Flows.signedInPatient(other, env)
            #expect(!(try await other.get(Paths.activity).body.contains("Failed sign-in attempt")))
        }
    }

    @Test("No password, code or token reaches the audit log or the server log", arguments: testDatabases)
    func noSecrets(kind: DatabaseKind) async throws {
        let capture = LogCapture()
        try await TestApp.run(kind, logger: capture.logger) { client, env in
            let (patient, code) = try await Flows.patientRecord(env)
            let browser = Browser(client)
            try await Flows.register(browser, code: code, birthDate: patient.birthDate.description, email: "quiet@example.org")
            try await Flows.signIn(browser, email: "quiet@example.org")
            let secret = try await Flows.enrolTOTP(browser)
            let totp = Flows.code(secret)
            try await browser.get(Paths.forgotPassword)
            try await browser.post(Paths.forgotPassword, ["email": "quiet@example.org"])
            let mail = try #require(try await Flows.lastMail(env, to: "quiet@example.org"))
            let token = try #require(Flows.link(in: mail)?.split(separator: "=").last.map(String.init))
            let sessionCookie = try #require(browser.cookies["cv_session"])

            let rows = try await env.database.read { sql in
                // Every stored field but the derived ones (time and hashes), where six digits can occur by chance.
                try await sql.raw("""
                    SELECT actor_account, actor_role, patient_id, action, resource_type, resource_id, basis, outcome,
                        client_ip, user_agent, subject_account FROM audit_log
                    """).all().map { row in
                    try row.allColumns.map { try row.decode(column: $0, as: String?.self) ?? "" }.joined(separator: "|")
                }
            }
            let outbox = try await env.database.read { try await $0.raw("SELECT body_sealed FROM outbox").all() }
            // Ids (UUIDs) are not secrets, but their hex can hold a six-digit run that matches a code by chance.
            let everything = (rows.joined(separator: "\n") + capture.text)
                .replacing(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/.ignoresCase(), with: "<id>")
            let secrets = ["password": Flows.password, "activation code": code, "normalized code": HumanCode.normalize(code),
                           "TOTP code": totp, "reset token": token, "session id": sessionCookie, "TOTP secret": secret,
                           "birth date": patient.birthDate.description]
            for (name, secretText) in secrets {
                #expect(!everything.contains(secretText), "the \(name) appears in the audit or server log")
            }
            #expect(!(try outbox.map { try $0.decode(column: "body_sealed", as: String.self) }.joined().contains(token)))
        }
    }
}
