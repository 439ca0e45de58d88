import CareVaultCore
@testable import CareVaultServer
import CareVaultStore
import Foundation
import HummingbirdTesting
import SQLKit
import Testing

@Suite("Authorization over HTTP")
struct AuthorizationTests {
    /// A clinician with TOTP turned on, signed in.
    static func clinician(_ client: any TestClientProtocol, _ env: AppEnvironment, email: String = "doc\(Int.random(in: 1...99999))@example.org") async throws -> Browser {
        _ = try await AccountService(env: env).createStaff(email: email, name: "Dr Grey", role: .clinician, password: Flows.password, by: nil, info: .commandLine)
        let browser = Browser(client)
        let first = try await Flows.signIn(browser, email: email)
        #expect(first.location == Paths.home)
        #expect(try await browser.get(Paths.home).location == Paths.twoFactor + "?notice=enrol-required")
        #expect(try await browser.get(Paths.staffPatients).location == Paths.twoFactor + "?notice=enrol-required")
        _ = try await Flows.enrolTOTP(browser)
        return browser
    }

    @Test("A patient asking for another patient's page gets 404, and the attempt is audited", arguments: testDatabases)
    func idor(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { client, env in
            let alice = Browser(client)
            let (alicePatient, _) = try await Flows.signedInPatient(alice, env)
            let bob = Browser(client)
            let (bobPatient, _) = try await Flows.signedInPatient(bob, env)

            #expect(try await alice.get(Paths.patientHome(alicePatient.id.description)).status == .ok)
            let other = try await alice.get(Paths.patientHome(bobPatient.id.description))
            #expect(other.status == .notFound)
            #expect(!other.body.contains(bobPatient.familyName))
            #expect(try await alice.get(Paths.patientHome(PatientID().description)).status == .notFound)
            #expect(try await alice.get("/patients/not-a-uuid").status == .notFound)
            // Patients never reach staff pages.
            #expect(try await alice.get(Paths.staffPatients).status == .notFound)

            let audit = try await env.database.read { try await AuditLogRepository($0, kind: kind).latest(limit: 20) }
            let denied = try #require(audit.first { $0.event.action == .recordAccessDenied })
            #expect(denied.event.patient == bobPatient.id)
            #expect(denied.event.outcome == .denied)
            let read = try #require(audit.first { $0.event.action == .recordRead })
            #expect(read.event.basis == "self")
        }
    }

    @Test("Staff must enrol a second factor first; then see their organization's patients, audited", arguments: testDatabases)
    func staff(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { client, env in
            let doctor = try await Self.clinician(client, env)
            try await doctor.get(Paths.staffNewPatient)
            let bad = try await doctor.post(Paths.staffPatients, ["mrn": "has spaces", "givenName": "", "familyName": "Lee", "birthDate": "2999-01-01"])
            #expect(bad.status == .badRequest)
            #expect(bad.body.contains(#"id="field-mrn-error""#))
            #expect(bad.body.contains(#"id="field-givenName-error""#))
            #expect(bad.body.contains(#"id="field-birthDate-error""#))

            let created = try await doctor.post(Paths.staffPatients, ["mrn": "C-100", "givenName": "Mina", "familyName": "Lee", "birthDate": "2001-05-06"])
            #expect(created.status == .created)
            let code = try #require(Browser.firstMatch(#"<p class="code big">([^<]+)</p>"#, in: created.body))
            #expect(code.count == 14)
            let duplicate = try await doctor.post(Paths.staffPatients, ["mrn": "C-100", "givenName": "Mina", "familyName": "Lee", "birthDate": "2001-05-06"])
            #expect(duplicate.body.contains("already exists"))

            let list = try await doctor.get(Paths.staffPatients + "?q=lee")
            #expect(list.body.contains("Mina Lee"))
            // A full name as the search form sends it ("+" for the space), and a name in another script typed in lower case.
            #expect(try await doctor.get(Paths.staffPatients + "?q=mina+lee").body.contains("Mina Lee"))
            #expect(!(try await doctor.get(Paths.staffPatients + "?q=mina+park").body.contains("Mina Lee")))
            _ = try await doctor.post(Paths.staffPatients, ["mrn": "C-101", "givenName": "Зоя", "familyName": "Дмитриева", "birthDate": "1990-02-03"])
            let cyrillic = try await doctor.get(Paths.staffPatients + "?q=" + Paths.queryValue("зоя дмитриева"))
            #expect(cyrillic.body.contains("Зоя Дмитриева") && !cyrillic.body.contains("Mina Lee"))
            let listed = try await env.database.read { try await AuditLogRepository($0, kind: kind).latest(limit: 1) }
            #expect(listed.first?.event.action == .recordRead)
            #expect(listed.first?.event.basis?.hasPrefix("care-team:clinician:") == true)
            let patient = try #require(try await env.database.read { sql in
                try await PatientRepository(sql).find(mrn: "C-100", organization: try await PatientRepository(sql).defaultOrganization())
            })
            let record = try await doctor.get(Paths.patientHome(patient.id.description))
            #expect(record.status == .ok)
            #expect(record.body.contains("This access is recorded"))
            let audit = try await env.database.read { try await AuditLogRepository($0, kind: kind).latest(limit: 5) }
            #expect(audit.first?.event.basis?.hasPrefix("care-team:clinician:") == true)

            // A patient of another organization is invisible.
            let elsewhere = OrganizationID()
            try await env.database.write { try await $0.raw("INSERT INTO organizations (id, name, created_at) VALUES (\(bind: elsewhere.description), 'Other clinic', 0)").run() }
            let (foreign, _) = try await AccountService(env: env).createPatient(mrn: "X-1", givenName: "Far", familyName: "Away", birthDate: "1990-01-01",
                                                                              email: nil, organization: elsewhere, by: nil, info: .commandLine)
            #expect(try await doctor.get(Paths.patientHome(foreign.id.description)).status == .notFound)
            #expect(try await doctor.get(Paths.staffPatient(foreign.id.description)).status == .notFound)
            #expect(try await doctor.post(Paths.staffPatientCode(foreign.id.description), [:]).status == .notFound)
        }
    }

    @Test("Staff issue a fresh activation code; the earlier code stops working", arguments: testDatabases)
    func reissueCode(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { client, env in
            let doctor = try await Self.clinician(client, env)
            let (patient, oldCode) = try await Flows.patientRecord(env)
            try await doctor.get(Paths.staffPatient(patient.id.description))
            let page = try await doctor.post(Paths.staffPatientCode(patient.id.description), [:])
            let newCode = try #require(Browser.firstMatch(#"<p class="code big">([^<]+)</p>"#, in: page.body))
            #expect(try await Flows.register(Browser(client), code: oldCode, birthDate: patient.birthDate.description, email: "p1@example.org").status == .badRequest)
            #expect(try await Flows.register(Browser(client), code: newCode, birthDate: patient.birthDate.description, email: "p1@example.org").location == "/signin?notice=registered")
        }
    }
}

