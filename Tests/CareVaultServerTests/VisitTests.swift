import CareVaultCore
@testable import CareVaultServer
import CareVaultStore
import Foundation
import HummingbirdTesting
import SQLKit
import Testing

@Suite("Visits")
struct VisitTests {
    @Test("Visits list by date; a visit shows its results and everything else recorded in it", arguments: testDatabases)
    func visits(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { client, env in
            let (browser, patient) = try await FHIREverythingTests.importedPatient(client, env)
            let list = try await browser.get(Paths.visits(patient.id.description))
            #expect(list.status == .ok)
            let links = list.body.matches(of: /href="(\/patients\/[^"]+\/visits\/[^"]+)"/).map { String($0.output.1) }
            #expect(links.count == 6)  // the Synthea bundle has 6 encounters

            let filtered = try await browser.get(Paths.visits(patient.id.description) + "?from=2019-01-01&to=2019-12-31")
            let filteredLinks = filtered.body.matches(of: /href="(\/patients\/[^"]+\/visits\/[^"]+)"/).count
            #expect(filteredLinks < 6)

            // The visit with the most linked records: its results table and item list are filled in.
            var richest = ""
            var richestCount = -1
            for link in links {
                let page = try await browser.get(link)
                #expect(page.status == .ok)
                let count = page.body.matches(of: /<li>/).count + page.body.matches(of: /<td data-label="Result">[^<]+ [^<]*<\/td>/).count
                if count > richestCount { (richest, richestCount) = (page.body, count) }
            }
            #expect(richestCount > 0)
            #expect(richest.contains("Tests and measurements from this visit"))
            #expect(richest.contains("Buster Hoeger"))

            let other = Browser(client)
            _ = try await Flows.signedInPatient(other, env)
            #expect(try await other.get(links[0]).status == .notFound)
            #expect(try await other.get(Paths.visits(patient.id.description)).status == .notFound)
            // A visit id from another record under this patient's path is just as absent.
            let otherPatient = try await Flows.patientRecord(env).0
            #expect(try await browser.get(Paths.visit(otherPatient.id.description, String(links[0].split(separator: "/").last!))).status == .notFound)

            let audited = try await env.database.read { sql in
                try await sql.raw("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'record.read' AND resource_type = 'Encounter' AND basis = 'self'")
                    .first()!.decode(column: "n", as: Int64.self)
            }
            #expect(audited >= 6)
        }
    }
}
