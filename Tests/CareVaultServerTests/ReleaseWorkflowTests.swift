import CareVaultCore
@testable import CareVaultServer
import CareVaultStore
import Foundation
import HummingbirdTesting
import SQLKit
import Testing

@Suite("Release workflow")
struct ReleaseWorkflowTests {
    /// A signed-in, enrolled staff-side account of `role`.
    static func staff(_ client: any TestClientProtocol, _ env: AppEnvironment, role: Role) async throws -> Browser {
        let email = "\(role.rawValue)\(Int.random(in: 1...999_999))@example.org"
        _ = try await AccountService(env: env).createStaff(email: email, name: "Dr Release", role: role, password: Flows.password, by: nil, info: .commandLine)
        let browser = Browser(client)
        try await Flows.signIn(browser, email: email)
        _ = try await Flows.enrolTOTP(browser)
        return browser
    }

    @Test("Sign-off: held items are invisible to the patient, counted as pending, and released from the clinicians' queue", arguments: testDatabases)
    func signOff(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { client, env in
            // An administrator holds documents and imaging for sign-off; a bad delay names its field.
            let admin = try await Self.staff(client, env, role: .admin)
            let rulesPage = try await admin.get(Paths.releaseRules)
            #expect(rulesPage.status == .ok)
            var fields = Dictionary(uniqueKeysWithValues: RecordSection.allCases.map { ("rule-\($0.rawValue)", "immediately") })
            fields["rule-documents"] = "sign-off"
            fields["rule-imaging"] = "delay"
            fields["hours-imaging"] = "0"
            let bad = try await admin.post(Paths.releaseRules, fields)
            #expect(bad.status == .badRequest)
            #expect(bad.body.contains(##"href="#field-hours-imaging""##))
            fields["hours-imaging"] = "72"
            #expect(try await admin.post(Paths.releaseRules, fields).location == Paths.releaseRules + "?notice=release-rules-saved")
            #expect(try await admin.get(Paths.releaseQueue).status == .notFound)  // admins see no clinical data

            let (patientBrowser, patient) = try await RecordSectionTests.clinicPatient(client, env)
            let id = patient.id.description
            // Documents wait for a clinician; imaging shows in 72 hours; medicines are released at once.
            let documents = try await patientBrowser.get(Paths.recordSection(id, .documents))
            #expect(!documents.body.contains("Discharge summary"))
            #expect(documents.body.contains("2 new items are waiting for your care team to review."))
            let imaging = try await patientBrowser.get(Paths.recordSection(id, .imaging))
            #expect(!imaging.body.contains("Chest X-ray"))
            #expect(imaging.body.contains("1 new item is not shown yet. The next will appear here on"))
            #expect(try await patientBrowser.get(Paths.recordSection(id, .medications)).body.contains("Amoxicillin"))
            let home = try await patientBrowser.get(Paths.patientHome(id))
            #expect(home.body.contains("Documents and notes: 2 new items are waiting"))
            // Nothing held leaks through the visit page, the item page, $everything or the FHIR read.
            let visit = try #require(RecordSectionTests.links(try await patientBrowser.get(Paths.visits(id)).body, under: Paths.visits(id) + "/").first)
            #expect(!(try await patientBrowser.get(visit).body.contains("Discharge summary")))
            let everything = try JSONParser.parse(try await patientBrowser.get(Paths.everything(id)).body)
            let types = everything["entry"]?.arrayValue?.compactMap { $0["resource"]?["resourceType"]?.stringValue } ?? []
            #expect(!types.contains("DocumentReference") && !types.contains("DiagnosticReport"))
            let held = try await env.database.read { try await FHIRResourceRepository($0).search(patientScope: id, RecordQuery(section: .documents, limit: 10)) }
            #expect(held.count == 2)
            #expect(try await patientBrowser.get(Paths.recordItem(id, type: "DocumentReference", id: held[0].id)).status == .notFound)
            #expect(try await patientBrowser.get(Paths.fhirResource(type: "DocumentReference", id: held[0].id)).status == .notFound)

            // A clinician sees them, marked, and releases one with its own button, then the rest ticked.
            let doctor = try await Self.staff(client, env, role: .clinician)
            let clinicianView = try await doctor.get(Paths.recordSection(id, .documents))
            #expect(clinicianView.body.contains("Not released to the patient yet"))
            let queue = try await doctor.get(Paths.releaseQueue)
            #expect(queue.body.contains("Discharge summary") && queue.body.contains("Зоя Дмитриева"))
            #expect(!queue.body.contains("Chest X-ray"))  // delayed, not waiting for sign-off
            let first = "DocumentReference/\(held[0].id)", second = "DocumentReference/\(held[1].id)"
            #expect(try await doctor.post(Paths.releaseQueue, ["only": first]).location == Paths.releaseQueue + "?notice=released")
            let afterOne = try await patientBrowser.get(Paths.recordSection(id, .documents))
            #expect(afterOne.body.contains("1 new item is waiting"))
            _ = try await doctor.get(Paths.releaseQueue)
            #expect(try await doctor.post(Paths.releaseQueue, ["item": second]).location == Paths.releaseQueue + "?notice=released")
            let afterAll = try await patientBrowser.get(Paths.recordSection(id, .documents))
            #expect(afterAll.body.contains("Discharge summary") && !afterAll.body.contains("waiting"))
            #expect(afterAll.body.matches(of: /<strong class="badge">New<\/strong>/).count == 2)
            _ = try await doctor.get(Paths.releaseQueue)
            // Releasing again (or something unknown) releases nothing.
            #expect(try await doctor.post(Paths.releaseQueue, ["item": second]).location == Paths.releaseQueue + "?notice=release-none")

            // Each release is audited with the resource id, and each changed rule once.
            let releases = try await env.database.read { sql in
                try await sql.raw("SELECT resource_id FROM audit_log WHERE action = 'record.released' ORDER BY seq").all()
                    .map { try $0.decode(column: "resource_id", as: String.self) }
            }
            #expect(releases == [held[0].id, held[1].id])
            let ruleChanges = try await env.database.read { sql in
                try await sql.raw("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'settings.release-rule-changed'").first()!.decode(column: "n", as: Int64.self)
            }
            #expect(ruleChanges == 2)
            // Patients and front-desk staff have no queue.
            #expect(try await patientBrowser.get(Paths.releaseQueue).status == .notFound)
            let desk = try await Self.staff(client, env, role: .staff)
            #expect(try await desk.get(Paths.releaseQueue).status == .notFound)
            #expect(try await desk.post(Paths.releaseQueue, ["item": first]).status == .notFound)
        }
    }

    @Test("A delay rule shows the item once its time has come")
    func delay() async throws {
        try await TestApp.run(.sqlite) { client, env in
            try await env.database.write { try await RecordReleaseRepository($0).setRule(.afterDelay(hours: 1), for: .medications, by: "test", at: 0) }
            let (browser, patient) = try await RecordSectionTests.clinicPatient(client, env)
            let id = patient.id.description
            #expect(!(try await browser.get(Paths.recordSection(id, .medications)).body.contains("Amoxicillin")))
            // Move the release time into the past, as if the hour had gone by.
            try await env.database.write { sql in
                try await sql.raw("UPDATE fhir_resources SET available_at = available_at - 3600001 WHERE section = 'medications'").run()
            }
            #expect(try await browser.get(Paths.recordSection(id, .medications)).body.contains("Amoxicillin"))
        }
    }
}
