import CareVaultCore
@testable import CareVaultServer
import CareVaultStore
import Foundation
import HummingbirdTesting
import Testing

@Suite("CSRF and security headers")
struct WebSecurityTests {
    @Test("State-changing requests without the right CSRF token are refused", arguments: testDatabases)
    func csrf(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { client, env in
            let browser = Browser(client)
            let (_, email) = try await Flows.signedInPatient(browser, env)
            try await browser.get(Paths.changePassword)
            let missing = try await browser.post(Paths.changePassword, ["currentPassword": Flows.password, "newPassword": "x y z w v u t s"], csrf: .some(nil))
            #expect(missing.status == .forbidden)
            #expect(missing.body.contains("This form has expired"))
            let wrong = try await browser.post(Paths.signOut, [:], csrf: "forged-token")
            #expect(wrong.status == .forbidden)

            // A token from another person's session does not work in this one.
            let other = Browser(client)
            _ = try await Flows.signedInPatient(other, env)
            try await other.get(Paths.security)
            let borrowed = try #require(other.csrf)
            #expect(try await browser.post(Paths.signOut, [:], csrf: borrowed).status == .forbidden)
            #expect(try await browser.get(Paths.security).status == .ok)  // still signed in

            // Sign-in itself (before any session) needs the pre-session token.
            let fresh = Browser(client)
            #expect(try await fresh.post(Paths.signIn, ["email": email, "password": Flows.password]).status == .forbidden)
        }
    }

    @Test("Every response carries the security headers; pages are never cached")
    func headers() async throws {
        try await TestApp.run(.sqlite) { client, env in
            let browser = Browser(client)
            for path in [Paths.home, Paths.signIn, "/missing"] {
                let page = try await browser.get(path)
                #expect(page.headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true)
                #expect(page.headers[.contentSecurityPolicy]?.contains("script-src") == false)
                #expect(page.headers[.xFrameOptions] == "DENY")
                #expect(page.headers[.xContentTypeOptions] == "nosniff")
                #expect(page.headers[.referrerPolicy] == "no-referrer")
                #expect(page.headers[.cacheControl] == "no-store")
                #expect(page.headers[.strictTransportSecurity] == nil)
                #expect(!page.body.contains("<script"))
                #expect(!page.body.contains("style=\""))
            }
            _ = try await Flows.signedInPatient(browser, env)
            let home = try await browser.follow(try await browser.get(Paths.home))
            #expect(home.headers[.cacheControl] == "no-store")
            #expect(try await browser.get(Paths.stylesheet).headers[.cacheControl] == "public, max-age=3600")
        }
    }

    /// Registers through a request that claims, by X-Forwarded-For, to come from 203.0.113.9, and
    /// returns the address the audit log recorded.
    static func recordedAddress(_ client: any TestClientProtocol, _ env: AppEnvironment) async throws -> String? {
        let (patient, code) = try await Flows.patientRecord(env)
        let browser = Browser(client)
        try await browser.get(Paths.registerWithCode)
        let response = try await client.execute(uri: Paths.registerWithCode, method: .post, headers: [
            .contentType: "application/x-www-form-urlencoded",
            .cookie: browser.cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; "),
            .init("X-Forwarded-For")!: "198.51.100.7, 203.0.113.9",
        ], body: .init(string: "code=\(code)&birthDate=\(patient.birthDate)&email=x%40example.org&password=\(Browser.encode(Flows.password))&_csrf=\(browser.csrf!)"))
        #expect(response.status == .seeOther)
        let audit = try await env.database.read { try await AuditLogRepository($0, kind: env.database.kind).latest(limit: 1) }
        #expect(audit.first?.event.action == .accountRegistered)
        return audit.first?.event.clientIP
    }

    @Test("X-Forwarded-For is believed only from a trusted proxy")
    func forwardedFor() async throws {
        try await TestApp.run(.sqlite, configure: { $0.trustedProxies = ["127.0.0.1", "::1"] }) { client, env in
            let address = try await Self.recordedAddress(client, env)
            #expect(address == "203.0.113.9")
        }
        try await TestApp.run(.sqlite) { client, env in
            let address = try await Self.recordedAddress(client, env)
            #expect(address == "127.0.0.1" || address == "::1")
        }
    }
}
