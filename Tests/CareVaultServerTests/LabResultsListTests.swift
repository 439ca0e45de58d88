import CareVaultCore
@testable import CareVaultServer
import CareVaultStore
import Foundation
import HummingbirdTesting
import Testing

/// The results page is a record list like the others: it filters by visit, says what is held back,
/// and marks what is new.
@Suite("Lab results as a record list")
struct LabResultsListTests {
    @Test("Results held for sign-off are counted, not shown, to the patient and marked for the clinician; new ones are marked once",
          arguments: testDatabases)
    func heldAndNew(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { client, env in
            let admin = try await ReleaseWorkflowTests.staff(client, env, role: .admin)
            _ = try await admin.get(Paths.releaseRules)
            var rules = Dictionary(uniqueKeysWithValues: RecordSection.allCases.map { ("rule-\($0.rawValue)", "immediately") })
            rules["rule-results"] = "sign-off"
            #expect(try await admin.post(Paths.releaseRules, rules).location == Paths.releaseRules + "?notice=release-rules-saved")

            let (patient, record) = try await LabResultsTests.patientWithResults(client, env, count: 3)
            let id = record.id.description
            let held = try await patient.get(Paths.labResults(id))
            #expect(held.body.contains("4 new items are waiting for your care team to review."))
            #expect(!held.body.contains(">Potassium</a>") && !held.body.contains("Not released"))

            let doctor = try await ReleaseWorkflowTests.staff(client, env, role: .clinician)
            let clinicianView = try await doctor.get(Paths.labResults(id))
            #expect(clinicianView.body.matches(of: />Potassium<\/a> <strong class="badge held">Not released to the patient yet<\/strong>/).count == 3)
            #expect(!clinicianView.body.contains("waiting for your care team") && !clinicianView.body.contains(#"class="badge">New"#))

            _ = try await doctor.get(Paths.releaseQueue)
            let items = try await env.database.read { sql in
                try await FHIRResourceRepository(sql).search(patientScope: id, RecordQuery(section: .labs, limit: 10))
            }
            #expect(try await doctor.post(Paths.releaseQueue, ["item": "Observation/\(items[0].id)"]).location == Paths.releaseQueue + "?notice=released")
            let released = try await patient.get(Paths.labResults(id))
            #expect(released.body.matches(of: /<\/a> <strong class="badge">New<\/strong>/).count == 1)
            #expect(released.body.contains("3 new items are waiting for your care team to review."))
            #expect(!(try await patient.get(Paths.labResults(id))).body.contains(#"class="badge">New"#))  // seen once: no longer new
        }
    }

    @Test("The visit filter offers the patient's visits with results and shows only that visit's; another patient's visit shows none",
          arguments: testDatabases)
    func visitFilter(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { client, env in
            let (browser, patient) = try await FHIREverythingTests.importedPatient(client, env)
            let base = Paths.labResults(patient.id.description)
            let all = try await browser.get(base)
            #expect(all.body.contains(#"<option value="" selected>Any visit</option>"#))
            let options = all.body.matches(of: /<option value="([0-9a-f-]{36})">([A-Z][a-z]+ \d{1,2}, \d{4})/).map { (String($0.1), String($0.2)) }
            // Only visits with results are offered: no choice leads to an empty table.
            let resultDates = Set(all.body.matches(of: /<td class="date" data-label="Date">([^<]+)<\/td>/).map { String($0.1) })
            #expect(Set(options.map(\.1)) == resultDates && options.count == resultDates.count, "\(options) \(resultDates)")
            let visit = try #require(options.first { $0.1 == "December 18, 2019" })
            let filtered = try await browser.get(base + "?visit=" + visit.0)
            #expect(filtered.body.contains(#"<option value="\#(visit.0)" selected>"#))
            let dates = filtered.body.matches(of: /<td class="date" data-label="Date">([^<]+)<\/td>/).map { String($0.1) }
            #expect(dates.count == 4 && dates.allSatisfy { $0 == "December 18, 2019" })  // that check-up's cholesterol panel
            #expect(all.body.matches(of: /<td class="date" data-label="Date">/).count == 15)  // every result of the record
            #expect(filtered.body.contains("?visit=\(visit.0)"))  // the downloads keep the filter

            let (_, zoya) = try await RecordSectionTests.clinicPatient(client, env)
            let zoyasVisit = try #require(try await env.database.read { sql in
                try await FHIRResourceRepository(sql).search(patientScope: zoya.id.description, RecordQuery(resourceType: "Encounter", limit: 1))
            }.first)
            let foreign = try await browser.get(base + "?visit=" + zoyasVisit.id)
            #expect(foreign.status == .ok && foreign.body.contains("No test results match"))
            #expect(!foreign.body.contains(#"value="\#(zoyasVisit.id)""#))
        }
    }
}
