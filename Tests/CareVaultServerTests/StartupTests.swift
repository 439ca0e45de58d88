import CareVaultCore
@testable import CareVaultServer
import CareVaultStore
import Foundation
import Testing

@Suite("Start-up, health and first administrator")
struct StartupTests {
    @Test("GET /health answers 200 JSON naming the database", arguments: testDatabases)
    func health(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { client, _ in
            let page = try await Browser(client).get("/health")
            #expect(page.status == .ok)
            #expect(page.headers[.contentType] == "application/json")
            #expect(page.body == #"{"status":"ok","database":"\#(kind.rawValue)"}"#)
        }
    }

    @Test("First start creates the data folder, the schema and a 0600 master key", arguments: testDatabases)
    func firstStart(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { client, env in
            _ = try await Browser(client).get("/health")
            let keyPath = env.configuration.dataDirectory.appendingPathComponent("master.key").path
            let attributes = try FileManager.default.attributesOfItem(atPath: keyPath)
            #expect((attributes[.posixPermissions] as? Int) == 0o600)
            #expect((attributes[.size] as? Int) == 32)
            #expect(try await Migrator(database: env.database).appliedNumbers() == Migrator.all.map(\.number))
            // Running again applies nothing and keeps the data.
            #expect(try await Migrator(database: env.database).migrate(logger: TestApp.logger).isEmpty)
        }
    }

    @Test("The one-time set-up link creates the first administrator, once", arguments: testDatabases)
    func setupLink(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { client, env in
            let link = try #require(try await SetupLinkService(env: env).issueLinkIfNeeded())
            let path = try #require(Flows.link(in: link))
            let browser = Browser(client)
            #expect(try await browser.get(path).status == .ok)
            let weak = try await browser.post("/setup", ["token": String(path.split(separator: "=")[1]), "name": "Ada Admin",
                                                         "email": "admin@example.org", "password": "password123"])
            #expect(weak.status == .badRequest)
            #expect(weak.body.contains("at least 12 characters"))
            let created = try await browser.post("/setup", ["token": String(path.split(separator: "=")[1]), "name": "Ada Admin",
                                                            "email": "admin@example.org", "password": Flows.password])
            #expect(created.location == "/signin?notice=admin-created")
            #expect(try await browser.get(path).status == .notFound)
            let replay = try await browser.post("/setup", ["token": String(path.split(separator: "=")[1]), "name": "Eve",
                                                           "email": "eve@example.org", "password": Flows.password])
            #expect(replay.status == .notFound)
            #expect(try await env.database.read { try await AccountRepository($0).find(email: "eve@example.org") } == nil)
            #expect(try await SetupLinkService(env: env).issueLinkIfNeeded() == nil)
        }
    }

    @Test("Plain HTTP is refused on a non-loopback address unless explicitly allowed")
    func listeningRules() throws {
        let folder = URL(fileURLWithPath: "/tmp/unused")
        #expect(throws: ConfigurationError.self) { try CareVaultConfiguration(host: "0.0.0.0", dataDirectory: folder).validate() }
        try CareVaultConfiguration(host: "0.0.0.0", dataDirectory: folder, insecureHTTP: true).validate()
        try CareVaultConfiguration(host: "127.0.0.1", dataDirectory: folder).validate()
        #expect(throws: ConfigurationError.self) {
            try CareVaultConfiguration(host: "0.0.0.0", dataDirectory: folder, tlsCertificatePath: "/c.pem").validate()
        }
    }

    @Test("Unknown pages answer a plain 404 page with no internals")
    func notFound() async throws {
        try await TestApp.run(.sqlite) { client, _ in
            let page = try await Browser(client).get("/no/such/page")
            #expect(page.status == .notFound)
            #expect(page.body.contains("Page not found"))
            #expect(!page.body.localizedCaseInsensitiveContains("error:"))
        }
    }
}
