import CareVaultCore
@testable import CareVaultServer
import CareVaultStore
import Foundation
import SQLKit
import Testing

/// Sign-up by identity is not proof of holding the record: before, a link went to whatever address
/// the requester typed (anyone who knew a name, birth date and patient ID owned the record), and the
/// unconfirmed account it created blocked the patient's real activation code.
@Suite("Registration hardening")
struct RegistrationHardeningTests {
    static func signUp(_ browser: Browser, _ patient: Patient, email: String) async throws -> Browser.Page {
        try await browser.get(Paths.registerByIdentity)
        return try await browser.post(Paths.registerByIdentity, [
            "givenName": patient.givenName, "familyName": patient.familyName, "birthDate": patient.birthDate.description,
            "mrn": patient.mrn, "email": email, "password": Flows.password])
    }

    static func count(_ env: AppEnvironment, _ sql: String) async throws -> Int64 {
        try await env.database.read { try await $0.raw(SQLQueryString(stringLiteral: sql)).first()!.decode(column: "n", as: Int64.self) }
    }

    @Test("A stranger's address gets nothing; the address on file is told someone tried", arguments: testDatabases)
    func strangerAddress(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { client, env in
            let (patient, _) = try await Flows.patientRecord(env, email: "ana@example.org")
            let page = try await Self.signUp(Browser(client), patient, email: "attacker@example.net")
            #expect(page.status == .ok && page.body.contains(RegistrationService.identityMatchAnswer.prefix(60)))
            #expect(try await Flows.lastMail(env, to: "attacker@example.net") == nil, "a link went to an address not on file")
            let notice = try #require(try await Flows.lastMail(env, to: "ana@example.org"))
            #expect(notice.contains("using a different email address") && Flows.link(in: notice) == nil)
            #expect(try await Self.count(env, "SELECT COUNT(*) AS n FROM accounts WHERE role = 'patient'") == 0)
            #expect(try await Self.count(env, "SELECT COUNT(*) AS n FROM registration_requests") == 0)
        }
    }

    @Test("An address in the record's Patient.telecom is on file too", arguments: testDatabases)
    func telecomOnFile(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { client, env in
            let bundle = String(decoding: RecordImportTests.smallBundle(), as: UTF8.self).replacingOccurrences(
                of: #""birthDate":"1988-07-01""#, with: #""birthDate":"1988-07-01","telecom":[{"system":"phone","value":"555"},{"system":"email","value":"Aiko@Example.org"}]"#)
            let summary = try await RecordImportService(env: env).importBundle(Data(bundle.utf8), source: "a.json", by: nil, info: .commandLine)
            _ = try await Self.signUp(Browser(client), summary.patient, email: "aiko@example.org")
            let mail = try #require(try await Flows.lastMail(env, to: "aiko@example.org"))
            let link = try #require(Flows.link(in: mail))
            #expect(try await Browser(client).get(link).location == "/signin?notice=email-confirmed")
            #expect(try await env.database.read { try await AccountRepository($0).find(patient: summary.patient.id) }?.email == "aiko@example.org")
        }
    }

    @Test("With no address on file the request waits for staff; the activation code still works and closes it", arguments: testDatabases)
    func identityCheckQueue(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { client, env in
            let (patient, code) = try await Flows.patientRecord(env, given: "Zoë", family: "Okafor")
            let first = try await Self.signUp(Browser(client), patient, email: "zoe@example.org")
            _ = try await Self.signUp(Browser(client), patient, email: "zoe2@example.org")
            #expect(first.body.contains(RegistrationService.identityMatchAnswer.prefix(60)))
            #expect(try await Flows.lastMail(env, to: "zoe@example.org") == nil)
            #expect(try await Self.count(env, "SELECT COUNT(*) AS n FROM registration_requests WHERE status = 'pending'") == 1)

            let staff = try await ReleaseWorkflowTests.staff(client, env, role: .staff)
            let queue = try await staff.get(Paths.identityChecks)
            #expect(queue.status == .ok)
            #expect(queue.body.contains("Zoë Okafor") && queue.body.contains("zoe@example.org") && queue.body.contains(patient.mrn))
            let patientOnly = Browser(client)
            _ = try await Flows.signedInPatient(patientOnly, env)
            #expect(try await patientOnly.get(Paths.identityChecks).status == .notFound)

            // The pending request does not block the real code.
            let registered = try await Flows.register(Browser(client), code: code, birthDate: patient.birthDate.description, email: "zoe@example.org")
            #expect(registered.location == "/signin?notice=registered")
            #expect(try await Self.count(env, "SELECT COUNT(*) AS n FROM registration_requests WHERE status = 'pending'") == 0)
            #expect(!(try await staff.get(Paths.identityChecks).body.contains("Zoë Okafor")))
        }
    }

    @Test("Staff issuing a new code voids a pending link; staff can dismiss a check, once, in their own organization", arguments: testDatabases)
    func voidAndDismiss(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { client, env in
            let (withEmail, _) = try await Flows.patientRecord(env, email: "kim@example.org")
            _ = try await Self.signUp(Browser(client), withEmail, email: "kim@example.org")
            let mail = try #require(try await Flows.lastMail(env, to: "kim@example.org"))
            let link = try #require(Flows.link(in: mail))
            _ = try await AccountService(env: env).issueActivationCode(for: withEmail, by: nil, info: .commandLine)
            #expect(try await Browser(client).get(link).status == .badRequest, "a link outlived a new activation code")
            #expect(try await env.database.read { try await AccountRepository($0).find(patient: withEmail.id) } == nil)

            let (noEmail, _) = try await Flows.patientRecord(env)
            _ = try await Self.signUp(Browser(client), noEmail, email: "someone@example.org")
            let id = try await env.database.read { try await $0.raw("SELECT id FROM registration_requests WHERE status = 'pending'").first()!.decode(column: "id", as: String.self) }
            let staff = try await ReleaseWorkflowTests.staff(client, env, role: .staff)
            _ = try await staff.get(Paths.identityChecks)
            let dismissed = try await staff.post(Paths.dismissIdentityCheck(id), [:])
            #expect(dismissed.status == .seeOther)
            #expect(try await staff.post(Paths.dismissIdentityCheck(id), [:]).status == .notFound)
            #expect(try await staff.post(Paths.dismissIdentityCheck(UUID().uuidString), [:]).status == .notFound)
            #expect(try await Self.count(env, "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'patient.identity-check-resolved'") == 1)
        }
    }

    @Test("Five wrong birth dates spend an activation code", arguments: testDatabases)
    func codeAttempts(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { client, env in
            let (patient, code) = try await Flows.patientRecord(env)
            for day in 1...RegistrationService.activationCodeAttempts {
                let wrong = try await Flows.register(Browser(client), code: code, birthDate: "1990-01-0\(day)", email: "ana@example.org")
                #expect(wrong.status == .badRequest)
            }
            let right = try await Flows.register(Browser(client), code: code, birthDate: patient.birthDate.description, email: "ana@example.org")
            #expect(right.status == .badRequest, "the code still worked after five wrong birth dates")
            let fresh = try await AccountService(env: env).issueActivationCode(for: patient, by: nil, info: .commandLine)
            let ok = try await Flows.register(Browser(client), code: fresh.display, birthDate: patient.birthDate.description, email: "ana@example.org")
            #expect(ok.location == "/signin?notice=registered")
        }
    }

    @Test("Codes are stored keyed; ones stored as plain SHA-256 before are re-keyed and still work", arguments: testDatabases)
    func keyedCodes(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { client, env in
            let (patient, code) = try await Flows.patientRecord(env)
            let plain = SecretToken.hash(HumanCode.normalize(code))
            let stored = try await env.database.read { try await $0.raw("SELECT code_hash FROM activation_codes").first()!.decode(column: "code_hash", as: String.self) }
            #expect(stored.hasPrefix(CodeHasher.prefix) && stored != plain)
            // As a database from before keyed hashes would hold it:
            try await env.database.write { try await $0.raw("UPDATE activation_codes SET code_hash = \(bind: plain)").run() }
            try await CodeRekeying(env: env).run()
            let rekeyed = try await env.database.read { try await $0.raw("SELECT code_hash FROM activation_codes").first()!.decode(column: "code_hash", as: String.self) }
            #expect(rekeyed == stored)
            let ok = try await Flows.register(Browser(client), code: code, birthDate: patient.birthDate.description, email: "ana@example.org")
            #expect(ok.location == "/signin?notice=registered")
        }
    }
}
