import CareVaultCore
@testable import CareVaultServer
import CareVaultStore
import Foundation
import Testing

/// "Who has seen my record": the patient reads every access to their record from the audit log, in
/// plain words, on both databases; nobody else's history is open to them, and reading it is one event.
@Suite("Who has seen my record")
struct AccessHistoryTests {
    @Test("The patient sees the clinician who opened their results and item, the refused stranger, and themself; filters, CSV and one audit event",
          arguments: testDatabases)
    func history(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { client, env in
            let (patientBrowser, patient) = try await RecordSectionTests.clinicPatient(client, env)
            let id = patient.id.description
            let doctor = try await ReleaseWorkflowTests.staff(client, env, role: .clinician)
            let results = try await doctor.get(Paths.labResults(id))
            #expect(results.status == .ok)
            let problems = try await doctor.get(Paths.recordSection(id, .problems))
            let item = try #require(RecordSectionTests.links(problems.body, under: "/patients/\(id)/items/").first)
            #expect(try await doctor.get(item).status == .ok)
            let stranger = Browser(client)
            let (strangerPatient, _) = try await Flows.signedInPatient(stranger, env)
            #expect(try await stranger.get(Paths.patientHome(id)).status == .notFound)

            #expect(try await patientBrowser.get(Paths.patientHome(id)).status == .ok)
            let before = try await AuditTrail.events(env).count
            let page = try await patientBrowser.get(Paths.accessHistory(id))
            #expect(page.status == .ok)
            let text = try RecordDoorTests.text(of: page)
            #expect(text.contains("Who has seen my record"))
            #expect(text.contains("Dr Release, clinician at Our clinic"))
            #expect(text.contains("Care team of Our clinic"))
            #expect(text.contains("Someone without access"))
            #expect(text.contains("Tried to open the record and was refused"))
            #expect(page.body.contains(#"<td class="stack-title">You</td>"#))
            // Whoever was refused stays unnamed: not in the rows, not among the people to choose.
            #expect(!page.body.contains(strangerPatient.fullName) && !page.body.contains(strangerPatient.familyName))
            #expect(page.body.contains(#"href="\#(item)">Viewed 1 problem or diagnosis</a>"#), "the one item the clinician opened links to it: \(item)")
            // Reading the history is one event, naming nothing shown.
            _ = try await patientBrowser.get(Paths.patientHome(id))
            let after = try await AuditTrail.events(env)
            let historyEvents = after.dropFirst(before).filter { $0.resourceType == "AuditEvent" }
            #expect(historyEvents.count == 1)
            #expect(historyEvents.first?.entities == [])

            // Only the clinician's accesses; the select names them.
            let doctorID = try #require(Browser.firstMatch(#"<option value="([0-9a-f-]{36})">Dr Release</option>"#, in: page.body))
            let filtered = try RecordDoorTests.text(of: try await patientBrowser.get(Paths.accessHistory(id) + "?person=\(doctorID)"))
            #expect(filtered.contains("Dr Release, clinician"))
            #expect(!filtered.contains("Someone without access"))
            let bad = try await patientBrowser.get(Paths.accessHistory(id) + "?person=nobody&from=2026-13-40")
            #expect(bad.status == .badRequest)
            #expect(bad.body.contains("Choose someone from the list.") && bad.body.contains(##"href="#field-from""##))
            let future = try RecordDoorTests.text(of: try await patientBrowser.get(Paths.accessHistory(id) + "?from=2999-01-01&visit=%3Cx%3E&q=zz"))
            #expect(future.contains("Nothing matches"))

            let csv = try await patientBrowser.get(Paths.accessHistoryCSV(id) + "?person=\(doctorID)")
            #expect(csv.status == .ok)
            #expect(csv.headers[.contentType]?.hasPrefix("text/csv") == true)
            let lines = csv.body.split(separator: "\r\n")
            #expect(lines.first == "when,who,what,allowed_by,outcome")
            #expect(lines.count >= 3 && lines.dropFirst().allSatisfy { $0.contains("Dr Release, clinician at Our clinic") })

            // Nobody else opens this history: another patient, front-desk staff; each refusal is audited.
            #expect(try await stranger.get(Paths.accessHistory(id)).status == .notFound)
            #expect(try await stranger.get(Paths.accessHistoryCSV(id)).status == .notFound)
            let frontDesk = try await ReleaseWorkflowTests.staff(client, env, role: .staff)
            #expect(try await frontDesk.get(Paths.accessHistory(id)).status == .notFound)
            let denied = try await AuditTrail.events(env, action: .recordAccessDenied, patient: patient.id)
            #expect(denied.filter { $0.resourceType == "AuditEvent" }.count == 3)
            // The clinician, whose role may read access logs, sees it with the patient named.
            let clinicianView = try RecordDoorTests.text(of: try await doctor.get(Paths.accessHistory(id)))
            #expect(clinicianView.contains("Who has seen \(patient.fullName)&#39;s record"))
            #expect(clinicianView.contains(", the patient"))
        }
    }

    @Test("Plain words for every kind of access")
    func words() throws {
        let viewer = AccountID(), clinician = AccountID(), patient = PatientID()
        let people = [clinician: AccessHistoryPerson(account: clinician, displayName: "Dr Chen", organizationName: "City Clinic")]
        let read = AuditEvent(actorAccount: clinician, actorRole: .clinician, patient: patient, action: .recordRead, resourceType: "Observation",
                              resourceID: "list", basis: "care-team:clinician:\(OrganizationID())", outcome: .success,
                              entities: ["Observation/a", "Observation/b", "Encounter/c"])
        #expect(AccessHistoryWords.who(read, viewer: viewer, people: people) == "Dr Chen, clinician at City Clinic")
        #expect(AccessHistoryWords.what(read) == "Viewed 2 test results and readings and 1 visit")
        #expect(AccessHistoryWords.what(read, namesKinds: false) == "Viewed 3 items")  // a reader with hidden kinds learns only how many
        #expect(AccessHistoryWords.authority(read, people: people) == "Care team of City Clinic")
        #expect(AccessHistoryWords.item(read) == nil)
        let own = AuditEvent(actorAccount: viewer, actorRole: .patient, patient: patient, action: .recordDownloaded, basis: "self",
                             outcome: .success, entities: ["Observation/a"])
        #expect(AccessHistoryWords.who(own, viewer: viewer, people: people) == "You")
        #expect(AccessHistoryWords.what(own) == "Downloaded 1 test result or reading")
        #expect(AccessHistoryWords.item(own).map { "\($0.type)/\($0.id)" } == "Observation/a")
        let refused = AuditEvent(actorAccount: AccountID(), actorRole: .patient, patient: patient, action: .recordAccessDenied,
                                 basis: "no-relationship", outcome: .denied)
        #expect(AccessHistoryWords.who(refused, viewer: viewer, people: people) == "Someone without access")
        #expect(AccessHistoryWords.authority(refused, people: people) == "Refused")
        let proxy = AuditEvent(actorAccount: clinician, patient: patient, action: .recordRead, basis: "grant:proxy:\(GrantID())", outcome: .success)
        #expect(AccessHistoryWords.who(proxy, viewer: viewer, people: people) == "Dr Chen, proxy")
        #expect(AccessHistoryWords.authority(proxy, people: people) == "Proxy access the patient granted")
        let command = AuditEvent(patient: patient, action: .recordImported, outcome: .success)
        #expect(AccessHistoryWords.who(command, viewer: viewer, people: people) == "Clinic staff, at the server's command line")
        #expect(Basis(stored: "care-team:nurse:x") == nil && Basis(stored: "self") == .ownRecord && Basis(stored: "no-relationship") == nil)
    }
}
