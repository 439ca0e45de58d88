import CareVaultCore
@testable import CareVaultServer
import CareVaultStore
import Foundation
import HummingbirdTesting
import SQLKit
import Testing

/// SMART Health Links over HTTP on both databases, with a client written here from the specification:
/// decode the `shlink:/` payload, ask for the manifest with a passcode, fetch each file within its hour,
/// decrypt it with the link's key. The server keeps only ciphertext.
@Suite("SMART Health Links")
struct HealthLinkTests {
    struct Payload: Decodable {
        let url: String
        let key: String
        let exp: Int
        let flag: String
        let label: String
        let v: Int
    }

    /// The payload of the `shlink:/` URI on the page the share was made on.
    static func payload(in page: String) throws -> (uri: String, payload: Payload) {
        let uri = try #require(Browser.firstMatch(#"(shlink:/[A-Za-z0-9_-]+)"#, in: page))
        let data = try #require(Base64URL.decode(String(uri.dropFirst("shlink:/".count))))
        return (uri, try JSONDecoder().decode(Payload.self, from: data))
    }

    @Test("A share made as a SMART Health Link: the manifest asks for the passcode, files decrypt with the link's key, revoking ends it",
          arguments: testDatabases)
    func healthLinkEndToEnd(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { client, env in
            let (patient, record) = try await RecordSectionTests.clinicPatient(client, env)
            let id = record.id.description
            let (_, code, _, created) = try await ShareLinkTests.share(patient, record: id, label: "For my travel app", what: [("section", "allergies"), ("section", "medications")],
                                                              options: ["download", "healthLink"])
            let page = try await patient.get(Paths.shares(id))
            #expect(page.body.contains("also a SMART Health Link"))
                        let (uri, payload) = try Self.payload(in: created)
            #expect(payload.flag == "P" && payload.label == "For my travel app" && payload.v == 1)
            #expect(payload.url.count <= 128 && payload.url.contains("/shl/"))
            let manifestID = String(payload.url.split(separator: "/").last!)
            #expect(try #require(Base64URL.decode(manifestID)).count >= 32)
            let key = Array(try #require(Base64URL.decode(payload.key)))
            #expect(key.count == 32)
            #expect(abs(payload.exp - Int(Date().addingTimeInterval(7 * 86_400).timeIntervalSince1970)) < 120)
            #expect(created.contains("<svg") && uri.count < 600)

            // The server keeps ciphertext only: no shared text, and no key, in what it stored.
            let stored = try await env.database.read { sql in
                try await sql.raw("SELECT body FROM share_files").all().map { try $0.decode(column: "body", as: String.self) }
            }
            #expect(stored.count == 2 && stored.allSatisfy { !$0.contains("Allergy") && $0.split(separator: ".", omittingEmptySubsequences: false).count == 5 })
            let columns = ["id", "label", "items", "token_hash", "code_hash", "shl_manifest_hash"]
            let rows = try await env.database.read { sql in
                try await sql.raw("SELECT id, label, items, token_hash, code_hash, shl_manifest_hash FROM share_links").all().map { row in
                    try columns.map { try row.decode(column: $0, as: String.self) }.joined(separator: "|")
                }
            }
            #expect(rows.count == 1 && !rows[0].contains(payload.key) && !rows[0].contains(manifestID) && !rows[0].contains(code))

            let app = Browser(client)
            let path = URLComponents(string: payload.url)!.path
            let wrong = try await app.postJSON(path, #"{"recipient":"Travel app","passcode":"WRNG-0000"}"#)
            #expect(wrong.status == .unauthorized && wrong.body.contains(#""remainingAttempts":4"#), "\(wrong.body)")
            #expect(try await app.postJSON(path, #"{"passcode":"\#(code)"}"#).status == .badRequest)
            #expect(try await app.postJSON(path + "x", #"{"recipient":"Travel app","passcode":"\#(code)"}"#).status == .notFound)
            let manifest = try await app.postJSON(path, #"{"recipient":"Travel app","passcode":"\#(code)"}"#)
            #expect(manifest.status == .ok && manifest.headers[.accessControlAllowOrigin] == "*", "\(manifest.body)")
            let files = try #require(try JSONParser.parse(manifest.body)["files"]?.arrayValue)
            #expect(files.count == 2)
            var texts: [String] = []
            for file in files {
                #expect(file["contentType"]?.stringValue == "application/fhir+json")
                let location = try #require(file["location"]?.stringValue)
                let parts = try #require(URLComponents(string: location))
                let uri = parts.path + "?" + (parts.query ?? "")
                let jwe = try await app.get(uri)
                #expect(jwe.status == .ok && jwe.headers[.contentType] == "application/jose")
                texts.append(String(decoding: try CompactJWE.decrypt(jwe.body, key: key), as: UTF8.self))
                // A ticket for another file, or a tampered one, opens nothing.
                #expect(try await app.get(uri.replacingOccurrences(of: "ticket=", with: "ticket=1")).status == .notFound)
            }
            let bundle = try #require(texts.first { $0.contains("Allergy to penicillin") })
            #expect(bundle.contains(#""type":"collection""#) && bundle.contains("Amoxicillin") && !bundle.contains("Pneumonia"))
            #expect(texts.contains { $0.contains(#""contentType":"application/pdf""#) })
            // Each manifest and file is audited as the share's reader.
            let shareID = try #require(try await env.database.read { sql in try await sql.raw("SELECT id FROM share_links").first()?.decode(column: "id", as: String.self) })
            let events = try await AuditTrail.events(env, patient: record.id, basis: "grant:share-link:\(shareID)")
            #expect(events.filter { $0.action == .recordDownloaded }.count == 2 && events.contains { $0.action == .shareOpened })

            // Revoked: the manifest is 404, and so is a file location given before.
            _ = try await patient.get(Paths.shares(id))
            #expect(try await patient.post(Paths.revokeShare(id, shareID), [:]).status == .seeOther)
            #expect(try await app.postJSON(path, #"{"recipient":"Travel app","passcode":"\#(code)"}"#).status == .notFound)
            let location = try #require(files[0]["location"]?.stringValue)
            let parts = try #require(URLComponents(string: location))
            #expect(try await app.get(parts.path + "?" + (parts.query ?? "")).status == .notFound)
        }
    }

    @Test("An expired SMART Health Link's manifest is 404; a SMART Health Link cannot also ask for a birth date", arguments: testDatabases)
    func expiredAndRefused(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { client, env in
            let (patient, record) = try await RecordSectionTests.clinicPatient(client, env)
            let id = record.id.description
            _ = try await patient.get(Paths.newShare(id))
            let both = try await patient.post(Paths.sharePreview(id), pairs: [("section", "allergies"), ("label", "X"), ("days", "7"),
                                                                               ("options", "healthLink"), ("options", "askBirthDate")])
            #expect(both.status == .badRequest && both.body.contains("A SMART Health Link can only ask for the access code"))
            let viewOnly = try await patient.post(Paths.sharePreview(id), pairs: [("section", "allergies"), ("label", "X"), ("days", "7"), ("options", "healthLink")])
            #expect(viewOnly.status == .badRequest && viewOnly.body.contains("tick “Allow downloads” to make one"))
            let (_, code, _, created) = try await ShareLinkTests.share(patient, record: id, what: [("section", "allergies")], options: ["download", "healthLink"])
            let (_, payload) = try Self.payload(in: created)
            try await env.database.write { sql in
                try await sql.raw("UPDATE share_links SET expires_at = \(bind: Int64(Date().timeIntervalSince1970 * 1000) - 1)").run()
            }
            let expired = try await Browser(client).postJSON(URLComponents(string: payload.url)!.path, #"{"recipient":"A","passcode":"\#(code)"}"#)
            #expect(expired.status == .notFound)
        }
    }
}
