import CareVaultCore
@testable import CareVaultServer
import CareVaultStore
import Foundation
import SQLKit
import Testing

@Suite("Sessions and devices")
struct SessionTests {
    @Test("Cookies are HttpOnly and SameSite=Lax; Secure with __Host- when the public URL is https")
    func cookieAttributes() async throws {
        try await TestApp.run(.sqlite) { client, env in
            let (patient, code) = try await Flows.patientRecord(env)
            let browser = Browser(client)
            try await Flows.register(browser, code: code, birthDate: patient.birthDate.description, email: "c@example.org")
            try await browser.get(Paths.signIn)
            let response = try await client.execute(
                uri: Paths.signIn, method: .post,
                headers: [.contentType: "application/x-www-form-urlencoded",
                          .cookie: browser.cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")],
                body: .init(string: "email=c%40example.org&password=\(Browser.encode(Flows.password))&_csrf=\(browser.csrf!)"))
            let cookie = try #require(response.headers[values: .setCookie].first { $0.hasPrefix("cv_session=") })
            #expect(cookie.contains("HttpOnly"))
            #expect(cookie.contains("SameSite=Lax"))
            #expect(cookie.contains("Path=/"))
            #expect(!cookie.contains("Secure"))
        }
        try await TestApp.run(.sqlite, configure: { $0.publicURL = URL(string: "https://portal.example.org")! }) { client, _ in
            let page = try await Browser(client).get(Paths.signIn)
            let cookie = try #require(page.headers[values: .setCookie].first)
            #expect(cookie.hasPrefix("__Host-cv_pre="))
            #expect(cookie.contains("Secure"))
            #expect(page.headers[.strictTransportSecurity] == "max-age=31536000; includeSubDomains")
        }
    }

    @Test("Sign-in ignores a planted cookie and the second-factor step issues a new id; sign-out ends it", arguments: testDatabases)
    func rotationAndSignOut(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { client, env in
            let setup = Browser(client)
            let (_, email) = try await Flows.signedInPatient(setup, env)
            let secret = try await Flows.enrolTOTP(setup)

            let browser = Browser(client)
            browser.setCookie("cv_session", "planted-by-an-attacker-0123456789abcdef")
            #expect(try await Flows.signIn(browser, email: email).location == Paths.signInCode)
            let pending = try #require(browser.cookies["cv_session"])
            #expect(pending != "planted-by-an-attacker-0123456789abcdef")
            try await browser.get(Paths.signInCode)
            #expect(try await browser.post(Paths.signInCode, ["code": Flows.code(secret, steps: 1)]).location == Paths.home)
            let signedIn = try #require(browser.cookies["cv_session"])
            #expect(signedIn != pending)

            let stale = Browser(client)
            stale.setCookie("cv_session", pending)
            #expect(try await stale.get(Paths.signInCode).location == Paths.signIn)

            try await browser.get(Paths.security)
            try await browser.post(Paths.signOut, [:])
            let replay = Browser(client)
            replay.setCookie("cv_session", signedIn)
            #expect(try await replay.get(Paths.security).location == Paths.signIn)
        }
    }

    @Test("A session ends after 30 idle minutes and after 12 hours whatever the activity", arguments: testDatabases)
    func timeouts(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { client, env in
            let browser = Browser(client)
            _ = try await Flows.signedInPatient(browser, env)
            #expect(try await browser.get(Paths.security).status == .ok)
            let idle = Clock.milliseconds(Date().addingTimeInterval(-31 * 60))
            try await env.database.write { try await $0.raw("UPDATE sessions SET last_seen_at = \(bind: idle)").run() }
            #expect(try await browser.get(Paths.security).location == Paths.signIn)

            let other = Browser(client)
            _ = try await Flows.signedInPatient(other, env)
            let past = Clock.milliseconds(Date().addingTimeInterval(-1))
            try await env.database.write { try await $0.raw("UPDATE sessions SET expires_at = \(bind: past)").run() }
            #expect(try await other.get(Paths.security).location == Paths.signIn)
        }
    }

    @Test("Housekeeping deletes sessions that ended over a day ago, keeps live and just-ended ones", arguments: testDatabases)
    func endedSessionsArePurged(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { client, env in
            func count(_ condition: SQLQueryString) async throws -> Int64 {
                try await env.database.read {
                    try await $0.raw("SELECT COUNT(*) AS n FROM sessions WHERE " + condition).first()!.decode(column: "n", as: Int64.self)
                }
            }
            let twoDaysAgo = Clock.milliseconds(Date().addingTimeInterval(-2 * 86_400))
            _ = try await Flows.signedInPatient(Browser(client), env)
            try await env.database.write { try await $0.raw("UPDATE sessions SET expires_at = \(bind: twoDaysAgo)").run() }
            let signedOutLongAgo = Browser(client)
            _ = try await Flows.signedInPatient(signedOutLongAgo, env)
            try await signedOutLongAgo.get(Paths.security)  // the form's CSRF token
            #expect(try await signedOutLongAgo.post(Paths.signOut, [:]).location?.hasPrefix(Paths.signIn) == true)
            try await env.database.write {
                try await $0.raw("UPDATE sessions SET revoked_at = \(bind: twoDaysAgo) WHERE revoked_at IS NOT NULL").run()
            }
            let signedOutNow = Browser(client)
            _ = try await Flows.signedInPatient(signedOutNow, env)
            try await signedOutNow.get(Paths.security)  // the form's CSRF token
            #expect(try await signedOutNow.post(Paths.signOut, [:]).location?.hasPrefix(Paths.signIn) == true)
            let live = Browser(client)
            _ = try await Flows.signedInPatient(live, env)
            let cutoff = Clock.milliseconds(Date().addingTimeInterval(-SessionService.endedSessionRetention))
            #expect(try await count("expires_at < \(bind: cutoff) OR revoked_at < \(bind: cutoff)") > 0)

            await Housekeeping(env: env).runOnce()

            #expect(try await count("expires_at < \(bind: cutoff) OR revoked_at < \(bind: cutoff)") == 0)
            #expect(try await count("revoked_at >= \(bind: cutoff)") >= 1)  // signed out just now: kept a day
            #expect(try await live.get(Paths.security).status == .ok)
        }
    }

    @Test("The Devices page lists sessions and signs out any or all others", arguments: testDatabases)
    func devices(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { client, env in
            let phone = Browser(client)
            phone.userAgent = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0) Safari/604.1"
            let (_, email) = try await Flows.signedInPatient(phone, env)
            let laptop = Browser(client)
            try await Flows.signIn(laptop, email: email)
            let tablet = Browser(client)
            try await Flows.signIn(tablet, email: email)

            let page = try await laptop.get(Paths.devices)
            #expect(page.body.contains("Safari on iPhone"))
            #expect(page.body.contains("Firefox on Linux <strong>(this device)</strong>"))
            let handles = page.body.matches(of: /\/account\/devices\/([A-Za-z0-9_-]+)\/revoke/).map { String($0.output.1) }
            #expect(handles.count == 3)

            // Another account cannot revoke these sessions by handle.
            let stranger = Browser(client)
            _ = try await Flows.signedInPatient(stranger, env)
            try await stranger.get(Paths.devices)
            #expect(try await stranger.post("/account/devices/\(handles[0])/revoke", [:]).status == .notFound)

            try await laptop.post("/account/devices/revoke-others", [:])
            #expect(try await phone.get(Paths.security).location == Paths.signIn)
            #expect(try await tablet.get(Paths.security).location == Paths.signIn)
            #expect(try await laptop.get(Paths.security).status == .ok)
        }
    }
}
