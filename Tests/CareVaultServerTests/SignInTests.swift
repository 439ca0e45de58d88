import CareVaultCore
@testable import CareVaultServer
import CareVaultStore
import Foundation
import SQLKit
import Testing

@Suite("Sign-in, two-step sign-in and lock-out")
struct SignInTests {
    @Test("A wrong password and an unknown email get the same answer", arguments: testDatabases)
    func uniformFailure(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { client, env in
            let (_, email) = try await Flows.signedInPatient(Browser(client), env)
            let wrongPassword = try await Flows.signIn(Browser(client), email: email, password: "not the right one at all")
            let unknownEmail = try await Flows.signIn(Browser(client), email: "nobody@example.org", password: "not the right one at all")
            #expect(wrongPassword.status == .unauthorized)
            #expect(unknownEmail.status == .unauthorized)
            func strip(_ body: String) -> String {
                body.replacingOccurrences(of: #"value="[^"]*""#, with: "", options: .regularExpression)
            }
            #expect(strip(wrongPassword.body) == strip(unknownEmail.body))
            #expect(wrongPassword.body.contains(SignInService.wrongDetails.replacingOccurrences(of: "'", with: "&#39;"))
                    || wrongPassword.body.contains("The email address or password is not right"))
        }
    }

    @Test("TOTP enrolment, then sign-in needs a fresh code; a used code is refused", arguments: testDatabases)
    func twoFactor(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { client, env in
            let browser = Browser(client)
            let (_, email) = try await Flows.signedInPatient(browser, env)
            let (secret, enrolmentCode) = try await Flows.enrolTOTPReturningCode(browser)

            // The secret is sealed at rest: neither its text nor its base32 form is in the row.
            let account = try #require(try await env.database.read { try await AccountRepository($0).find(email: email) })
            let sealed = try #require(account.totpSecretSealed)
            #expect(!sealed.contains(secret))
            #expect(account.totpPendingSealed == nil)

            try await browser.post(Paths.signOut, [:])
            let password = try await Flows.signIn(browser, email: email)
            #expect(password.location == Paths.signInCode)
            // Not signed in yet: record pages send you back to the code step.
            #expect(try await browser.get(Paths.security).location == Paths.signInCode)

            try await browser.get(Paths.signInCode)
            let reused = try await browser.post(Paths.signInCode, ["code": enrolmentCode])
            #expect(reused.status == .unauthorized)
            #expect(reused.body.contains("already used"))

            // A code is computed once and replayed exactly: recomputing it later could cross a 30 s boundary.
            let fresh = Flows.code(secret, steps: 1)
            let ok = try await browser.post(Paths.signInCode, ["code": fresh])
            #expect(ok.location == Paths.home)
            #expect(try await browser.get(Paths.security).status == .ok)

            // The same code a second time, in another browser: refused.
            let other = Browser(client)
            try await Flows.signIn(other, email: email)
            try await other.get(Paths.signInCode)
            #expect(try await other.post(Paths.signInCode, ["code": fresh]).status == .unauthorized)
        }
    }

    @Test("A recovery code signs in once", arguments: testDatabases)
    func recoveryCode(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { client, env in
            let browser = Browser(client)
            let (_, email) = try await Flows.signedInPatient(browser, env)
            let page = try await browser.get(Paths.twoFactor)
            let key = try #require(Browser.firstMatch(#"id="manual-key">([^<]+)<"#, in: page.body))
            let secret = try #require(Flows.base32Decode(key))
            let codesPage = try await browser.post(Paths.twoFactor, ["code": Flows.code(secret)])
            let recovery = try #require(Browser.firstMatch(#"<li class="code">([^<]+)</li>"#, in: codesPage.body))

            let second = Browser(client)
            try await Flows.signIn(second, email: email)
            try await second.get(Paths.signInCode)
            #expect(try await second.post(Paths.signInCode, ["code": recovery.lowercased()]).location == Paths.home)
            let third = Browser(client)
            try await Flows.signIn(third, email: email)
            try await third.get(Paths.signInCode)
            #expect(try await third.post(Paths.signInCode, ["code": recovery]).status == .unauthorized)
        }
    }

    @Test("Five wrong passwords lock the account; the answer stays the unknown-email one and the owner is told by email", arguments: testDatabases)
    func lockout(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { client, env in
            let (_, email) = try await Flows.signedInPatient(Browser(client), env)
            let unknown = try await Flows.signIn(Browser(client), email: "nobody-\(UUID().uuidString.prefix(8))@example.org", password: "wrong password number")
            for _ in 0..<5 {
                let page = try await Flows.signIn(Browser(client), email: email, password: "wrong password number")
                #expect(page.status == unknown.status && page.body.contains(SignInService.wrongDetails.prefix(40)))
            }
            let right = try await Flows.signIn(Browser(client), email: email)
            #expect(right.status == .unauthorized)
            #expect(right.body.contains(SignInService.wrongDetails.prefix(40)) && !right.body.contains("paused"),
                    "a locked account answers differently from an unknown one")
            let mail = try #require(try await Flows.lastMail(env, to: email))
            #expect(mail.contains("sign-in is paused until"))

            // After the pause a second lock-out lasts longer.
            try await env.database.write { try await $0.raw("UPDATE accounts SET locked_until = 1").run() }
            for _ in 0..<5 { try await Flows.signIn(Browser(client), email: email, password: "wrong password number") }
            let account = try #require(try await env.database.read { try await AccountRepository($0).find(email: email) })
            let pause = try #require(account.lockedUntil).timeIntervalSinceNow
            #expect(pause > 4 * 60 && pause <= 5 * 60)

            let entries = try await env.database.read { try await AuditLogRepository($0, kind: kind).latest(limit: 200) }
            #expect(entries.filter { $0.event.action == .lockedOut }.count == 2)
            #expect(entries.filter { $0.event.action == .signInFailed }.count == 10)
        }
    }

    @Test("Wrong second-factor codes count toward the lock-out", arguments: testDatabases)
    func codeLockout(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { client, env in
            let browser = Browser(client)
            let (_, email) = try await Flows.signedInPatient(browser, env)
            _ = try await Flows.enrolTOTP(browser)
            let attacker = Browser(client)
            try await Flows.signIn(attacker, email: email)
            try await attacker.get(Paths.signInCode)
            var last = ""
            for _ in 0..<5 { last = try await attacker.post(Paths.signInCode, ["code": "000000"]).body }
            #expect(last.contains("sign-in is paused"))
        }
    }

    @Test("Too many posts from one address get 429 with Retry-After")
    func rateLimit() async throws {
        try await TestApp.run(.sqlite, configure: { $0.rateLimit = .init(requests: 3, per: .seconds(60)) }) { client, _ in
            let browser = Browser(client)
            for _ in 0..<3 {
                #expect(try await Flows.signIn(browser, email: "a@example.org", password: "whatever whatever").status == .unauthorized)
            }
            let limited = try await Flows.signIn(browser, email: "a@example.org", password: "whatever whatever")
            #expect(limited.status == .tooManyRequests)
            let retry = try #require(limited.headers[.retryAfter].flatMap(Int.init))
            #expect((1...61).contains(retry))
            #expect(limited.body.contains("Too many attempts"))
            // Other forms have their own budget; pages still load.
            #expect(try await browser.get(Paths.signIn).status == .ok)
        }
    }

    @Test("A hash made with an old cost is upgraded at the next sign-in", arguments: testDatabases)
    func rehash(kind: DatabaseKind) async throws {
        try await TestApp.run(kind, configure: { $0.passwordHashCost = 5 }) { client, env in
            let (patient, code) = try await Flows.patientRecord(env)
            try await Flows.register(Browser(client), code: code, birthDate: patient.birthDate.description, email: "old@example.org")
            let old = PasswordHasher(cost: 4).hash(Flows.password)
            try await env.database.write { try await $0.raw("UPDATE accounts SET password_hash = \(bind: old) WHERE email = 'old@example.org'").run() }
            #expect(try await Flows.signIn(Browser(client), email: "old@example.org").location == Paths.home)
            let account = try #require(try await env.database.read { try await AccountRepository($0).find(email: "old@example.org") })
            #expect(account.passwordHash.hasPrefix("bcrypt-sha256$5$"))
            #expect(try await Flows.signIn(Browser(client), email: "old@example.org").location == Paths.home)
        }
    }
}
