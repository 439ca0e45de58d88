import CareVaultCore
@testable import CareVaultServer
import CareVaultStore
import Foundation
import SQLKit
import Testing

@Suite("Password reset and change")
struct PasswordTests {
    @Test("Reset: same answer for unknown addresses; a single-use link; every session signed out", arguments: testDatabases)
    func reset(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { client, env in
            let signedIn = Browser(client)
            let (_, email) = try await Flows.signedInPatient(signedIn, env)

            let browser = Browser(client)
            try await browser.get(Paths.forgotPassword)
            let known = try await browser.post(Paths.forgotPassword, ["email": email])
            let unknown = try await browser.post(Paths.forgotPassword, ["email": "ghost@example.org"])
            #expect(known.status == .ok)
            #expect(known.body.contains(PasswordService.requestAnswer))
            #expect(unknown.body.contains(PasswordService.requestAnswer))
            #expect(try await Flows.lastMail(env, to: "ghost@example.org") == nil)

            let mail = try #require(try await Flows.lastMail(env, to: email))
            let link = try #require(Flows.link(in: mail))
            #expect(try await browser.get(link).status == .ok)
            let token = String(link.split(separator: "=")[1])
            let weak = try await browser.post(Paths.resetPassword, ["token": token, "password": "qwertyuiop123"])
            #expect(weak.status == .badRequest)
            #expect(weak.body.contains("criminals try first"))
            let done = try await browser.post(Paths.resetPassword, ["token": token, "password": "a brand new passphrase"])
            #expect(done.location == "/signin?notice=password-reset")

            #expect(try await signedIn.get(Paths.security).location == Paths.signIn)
            #expect(try await browser.get(link).status == .badRequest)
            #expect(try await Flows.signIn(Browser(client), email: email).status == .unauthorized)
            #expect(try await Flows.signIn(Browser(client), email: email, password: "a brand new passphrase").location == Paths.home)
            let audit = try await env.database.read { try await AuditLogRepository($0, kind: kind).latest(limit: 50) }
            #expect(audit.contains { $0.event.action == .passwordReset })
        }
    }

    @Test("An expired reset link is refused", arguments: testDatabases)
    func expired(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { client, env in
            let (_, email) = try await Flows.signedInPatient(Browser(client), env)
            let browser = Browser(client)
            try await browser.get(Paths.forgotPassword)
            try await browser.post(Paths.forgotPassword, ["email": email])
            let mail = try #require(try await Flows.lastMail(env, to: email))
            let link = try #require(Flows.link(in: mail))
            try await env.database.write { try await $0.raw("UPDATE account_tokens SET expires_at = 1").run() }
            let token = String(link.split(separator: "=")[1])
            #expect(try await browser.get(link).status == .badRequest)
            #expect(try await browser.post(Paths.resetPassword, ["token": token, "password": "another fine passphrase"]).status == .badRequest)
        }
    }

    @Test("Changing the password needs the current one and signs out other devices", arguments: testDatabases)
    func change(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { client, env in
            let browser = Browser(client)
            let (_, email) = try await Flows.signedInPatient(browser, env)
            let other = Browser(client)
            try await Flows.signIn(other, email: email)

            try await browser.get(Paths.changePassword)
            let wrong = try await browser.post(Paths.changePassword, ["currentPassword": "nope nope nope", "newPassword": "sunlit meadow river stone"])
            #expect(wrong.status == .badRequest)
            #expect(wrong.body.contains(#"id="field-currentPassword-error""#))
            let ok = try await browser.post(Paths.changePassword, ["currentPassword": Flows.password, "newPassword": "sunlit meadow river stone"])
            #expect(ok.location == Paths.security + "?notice=password-changed")
            #expect(try await browser.get(Paths.security).status == .ok)
            #expect(try await other.get(Paths.security).location == Paths.signIn)
        }
    }
}
