import CareVaultCore
@testable import CareVaultServer
import CareVaultStore
import Foundation
import SQLKit
import Testing

@Suite("Patient registration")
struct RegistrationTests {
    @Test("Activation code + date of birth creates an account; the code works once", arguments: testDatabases)
    func withCode(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { client, env in
            let (patient, code) = try await Flows.patientRecord(env)
            let browser = Browser(client)
            let wrongBirthDate = try await Flows.register(browser, code: code, birthDate: "1990-01-01", email: "ana@example.org")
            #expect(wrongBirthDate.status == .badRequest)
            #expect(wrongBirthDate.body.contains("could not match this activation code and date of birth"))
            #expect(try await env.database.read { try await AccountRepository($0).find(email: "ana@example.org") } == nil)

            let ok = try await Flows.register(browser, code: code.lowercased().replacingOccurrences(of: "-", with: " "),
                                              birthDate: patient.birthDate.description, email: "Ana@Example.org")
            #expect(ok.location == "/signin?notice=registered")
            let account = try #require(try await env.database.read { try await AccountRepository($0).find(email: "ana@example.org") })
            #expect(account.patient == patient.id)
            #expect(account.role == .patient)

            let again = try await Flows.register(Browser(client), code: code, birthDate: patient.birthDate.description, email: "other@example.org")
            #expect(again.status == .badRequest)
        }
    }

    @Test("An expired activation code is refused", arguments: testDatabases)
    func expiredCode(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { client, env in
            let (patient, code) = try await Flows.patientRecord(env)
            try await env.database.write { try await $0.raw("UPDATE activation_codes SET expires_at = 1").run() }
            let page = try await Flows.register(Browser(client), code: code, birthDate: patient.birthDate.description, email: "late@example.org")
            #expect(page.status == .badRequest)
            #expect(try await env.database.read { try await AccountRepository($0).find(email: "late@example.org") } == nil)
        }
    }

    @Test("Bad input names each field and stores nothing", arguments: testDatabases)
    func badInput(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { client, env in
            let (patient, code) = try await Flows.patientRecord(env)
            let browser = Browser(client)
            let page = try await Flows.register(browser, code: code, birthDate: "1984-13-45", email: "not-an-email", password: "short")
            #expect(page.status == .badRequest)
            #expect(page.body.contains(#"id="field-birthDate-error""#))
            #expect(page.body.contains(#"id="field-email-error""#))
            #expect(page.body.contains(#"id="field-password-error""#))
            #expect(page.body.contains(#"aria-describedby="field-birthDate-hint field-birthDate-error""#))
            #expect(page.body.contains(##"<a href="#field-email">"##))
            // The code still works: nothing was used up.
            let ok = try await Flows.register(browser, code: code, birthDate: patient.birthDate.description, email: "ok@example.org")
            #expect(ok.location == "/signin?notice=registered")
        }
    }

    @Test("Identity match sends a link to the address on file; the account exists only after it", arguments: testDatabases)
    func identityMatch(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { client, env in
            let (patient, _) = try await Flows.patientRecord(env, given: "José", family: "Núñez", email: "Jose@Example.org")
            let browser = Browser(client)
            try await browser.get("/register/identity")
            let answer = try await browser.post("/register/identity", [
                "givenName": "jose", "familyName": "NUNEZ", "birthDate": patient.birthDate.description, "mrn": patient.mrn,
                "email": "jose@example.org", "password": Flows.password])
            #expect(answer.status == .ok)
            #expect(answer.body.contains("If these details match a patient record"))

            let before = try await Flows.signIn(Browser(client), email: "jose@example.org")
            #expect(before.status == .unauthorized)
            #expect(try await env.database.read { try await AccountRepository($0).find(patient: patient.id) } == nil,
                    "an account existed before the link was followed")

            let mail = try #require(try await Flows.lastMail(env, to: "jose@example.org"))
            let link = try #require(Flows.link(in: mail))
            #expect(link.hasPrefix("/register/confirm?token="))
            let confirmed = try await browser.get(link)
            #expect(confirmed.location == "/signin?notice=email-confirmed")
            #expect(try await browser.get(link).status == .badRequest)  // single use
            #expect(try await Flows.signIn(Browser(client), email: "jose@example.org").location == Paths.home)
        }
    }

    @Test("A miss answers exactly like a match, and creates nothing", arguments: testDatabases)
    func identityMiss(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { client, env in
            let (patient, _) = try await Flows.patientRecord(env, email: "match@example.org")
            func attempt(_ mrn: String, _ email: String) async throws -> String {
                let browser = Browser(client)
                try await browser.get("/register/identity")
                let page = try await browser.post("/register/identity", [
                    "givenName": patient.givenName, "familyName": patient.familyName, "birthDate": patient.birthDate.description,
                    "mrn": mrn, "email": email, "password": Flows.password])
                #expect(page.status == .ok)
                return page.body.replacingOccurrences(of: #"value="[^"]+""#, with: "", options: .regularExpression)
            }
            let miss = try await attempt("NO-SUCH-MRN", "miss@example.org")
            let match = try await attempt(patient.mrn, "match@example.org")
            #expect(miss == match)
            #expect(try await Flows.lastMail(env, to: "miss@example.org") == nil)
            #expect(try await env.database.read { try await AccountRepository($0).find(email: "miss@example.org") } == nil)
            #expect(try await Flows.lastMail(env, to: "match@example.org") != nil)
        }
    }

    @Test("An expired confirmation link does not confirm", arguments: testDatabases)
    func expiredConfirmation(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { client, env in
            let (patient, _) = try await Flows.patientRecord(env, email: "slow@example.org")
            let browser = Browser(client)
            try await browser.get("/register/identity")
            try await browser.post("/register/identity", [
                "givenName": patient.givenName, "familyName": patient.familyName, "birthDate": patient.birthDate.description,
                "mrn": patient.mrn, "email": "slow@example.org", "password": Flows.password])
            let mail = try #require(try await Flows.lastMail(env, to: "slow@example.org"))
            let link = try #require(Flows.link(in: mail))
            try await env.database.write { try await $0.raw("UPDATE registration_requests SET expires_at = 1").run() }
            #expect(try await browser.get(link).status == .badRequest)
            #expect(try await Flows.signIn(Browser(client), email: "slow@example.org").status == .unauthorized)
        }
    }
}
