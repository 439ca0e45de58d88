import CareVaultCore
@testable import CareVaultServer
import CareVaultStore
import Foundation
import SQLKit
import Testing

@Suite("Patients take back what they entered")
struct ContributionRemovalTests {
    static func stored(_ env: AppEnvironment, _ patient: Patient, _ type: String) async throws -> [StoredResource] {
        try await env.database.read {
            try await FHIRResourceRepository($0).search(patientScope: patient.id.description, RecordQuery(resourceType: type, status: "entered-in-error", limit: 10))
                + FHIRResourceRepository($0).search(patientScope: patient.id.description, RecordQuery(resourceType: type, limit: 10))
        }
    }

    @Test("A mistyped reading and a reported condition are removed from lists, charts and the review queue, kept as entered-in-error, and audited; an accepted allergy stays",
          arguments: testDatabases)
    func remove(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { client, env in
            let browser = Browser(client)
            let (patient, _) = try await Flows.signedInPatient(browser, env)
            let id = patient.id.description
            _ = try await browser.get(Paths.readings(id, .heartRate))
            _ = try await browser.post(Paths.readings(id, .heartRate), ["value": "72", "date": "2026-11-01"])
            _ = try await browser.post(Paths.readings(id, .heartRate), ["value": "190", "date": "2026-11-02"])  // a typo, and out of range: queued
            let mistyped = try #require(try await Self.stored(env, patient, "Observation").first { $0.json.contains(#""value":190"#) })
            let page = try await browser.get(Paths.readings(id, .heartRate))
            #expect(page.body.contains(##"<form method="post" action="\##(Paths.removeReading(id, .heartRate, mistyped.id))" class="inline">"##))

            // Nobody else can remove it, and a removal needs the form's token.
            let other = Browser(client)
            _ = try await Flows.signedInPatient(other, env)
            _ = try await other.get(Paths.security)
            #expect(try await other.post(Paths.removeReading(id, .heartRate, mistyped.id), [:]).status == .notFound)
            #expect(try await browser.post(Paths.removeReading(id, .heartRate, mistyped.id), [:], csrf: .some(nil)).status == .forbidden)

            let removed = try await browser.post(Paths.removeReading(id, .heartRate, mistyped.id), [:])
            #expect(removed.location == Paths.readings(id, .heartRate) + "?notice=contribution-removed")
            let after = try await browser.get(removed.location!)
            // Values as their table cells show them: a bare "190" can occur in a random id or token.
            #expect(after.body.contains("It was removed from your record") && !after.body.contains(#"<td data-label="Reading">190"#) && after.body.contains(#"<td data-label="Reading">72"#))
            #expect(try await browser.get(Paths.recordItem(id, type: "Observation", id: mistyped.id)).status == .notFound)
            #expect(!(try await browser.get(Paths.readingsCSV(id))).body.split(separator: "\n").contains { $0.split(separator: ",").contains("190") })
            let kept = try #require(try await Self.stored(env, patient, "Observation").first { $0.id == mistyped.id })
            #expect(kept.versionID == 2 && kept.json.contains(#""status":"entered-in-error""#))
            #expect(try await browser.post(Paths.removeReading(id, .heartRate, mistyped.id), [:]).status == .notFound)  // only once

            // A reported condition goes the same way (verification status, clinical status dropped as R4 requires).
            _ = try await browser.get(Paths.reportEntry(id, .condition))
            _ = try await browser.post(Paths.reportEntry(id, .condition), ["name": "Migrane"])
            _ = try await browser.post(Paths.reportEntry(id, .allergy), ["name": "Penicillin"])
            let condition = try #require(try await Self.stored(env, patient, "Condition").first)
            let problems = try await browser.get(Paths.recordSection(id, .problems))
            #expect(problems.body.contains(Paths.removeReported(id, .condition, condition.id)))
            #expect(try await browser.post(Paths.removeReported(id, .condition, condition.id), [:]).location
                    == Paths.recordSection(id, .problems) + "?notice=contribution-removed")
            #expect(!(try await browser.get(Paths.recordSection(id, .problems))).body.contains("Migrane"))
            let removedCondition = try #require(try await Self.stored(env, patient, "Condition").first { $0.id == condition.id })
            #expect(removedCondition.json.contains(#""code":"entered-in-error""#) && !removedCondition.json.contains("clinicalStatus"))
            #expect(FHIRElementValidator().check(resource: try JSONParser.parse(removedCondition.json)).errors.isEmpty)

            // The clinician's queue no longer has the reading or the condition; accepting the allergy makes it the care team's.
            let doctor = try await ReleaseWorkflowTests.staff(client, env, role: .clinician)
            let queue = try await doctor.get(Paths.reviewQueue)
            #expect(!queue.body.contains(" 190") && !queue.body.contains("Migrane") && queue.body.contains("Penicillin"))
            let allergyLink = try #require(ReviewTests.queueLinks(queue).first)
            _ = try await doctor.get(allergyLink)
            _ = try await doctor.post(allergyLink, ["decision": "accept"])
            let allergy = try #require(try await Self.stored(env, patient, "AllergyIntolerance").first)
            let allergies = try await browser.get(Paths.recordSection(id, .allergies))
            #expect(allergies.body.contains("Penicillin") && !allergies.body.contains(Paths.removeReported(id, .allergy, allergy.id)))
            #expect(try await browser.post(Paths.removeReported(id, .allergy, allergy.id), [:]).status == .conflict)
            // Clinic records are not the patient's to remove.
            #expect(try await browser.post(Paths.removeReported(id, .allergy, "no-such-entry"), [:]).status == .notFound)

            let audited = try await env.database.read {
                try await $0.raw("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'record.contribution-removed'").first()!.decode(column: "n", as: Int64.self)
            }
            #expect(audited == 2)
        }
    }
}
