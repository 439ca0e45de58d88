import CareVaultCore
@testable import CareVaultServer
import CareVaultStore
import Foundation
import HummingbirdTesting
import Testing

/// A parent's proxy access, set up by staff, on both databases: walking every route of a 13-year-old's
/// record as the parent shows nothing outside the adolescent set and nothing confidential; the
/// administrator's rules take effect on the next click; the grant ends on the 18th birthday.
@Suite("Parents of adolescents")
struct ParentProxyTests {
    /// `years` old, a month past the birthday (clear of any time zone's idea of today).
    static func birthDate(yearsOld years: Int) -> String {
        let date = Calendar(identifier: .gregorian).date(byAdding: DateComponents(year: -years, month: -1), to: Date())!
        return String(ISO8601DateFormatter().string(from: date).prefix(10))
    }

    /// A clinician sets up a parent's grant after checking a birth certificate; the parent signs up and
    /// accepts with the code the clinician gave them. Returns the parent's browser.
    static func parent(_ client: any TestClientProtocol, _ env: AppEnvironment, of child: Patient) async throws -> Browser {
        let id = child.id.description
        let clinician = try await ReleaseWorkflowTests.staff(client, env, role: .clinician)
        #expect(try await clinician.get(Paths.staffNewProxy(id)).status == .ok)
        let missing = try await clinician.post(Paths.staffNewProxy(id), pairs: [("name", "Pat Parent"), ("email", "parent@example.org"),
                                                                                ("relationship", "parent"), ("scopes", "see-record")])
        #expect(missing.status == .badRequest && missing.body.contains(##"href="#field-documentType""##))
        let caregiver = try await clinician.post(Paths.staffNewProxy(id), pairs: [("name", "Pat Parent"), ("email", "parent@example.org"),
                                                                                  ("relationship", "caregiver"), ("scopes", "see-record")])
        #expect(caregiver.status == .badRequest && caregiver.body.contains(##"href="#field-relationship""##))
        let email = "parent\(Int.random(in: 1...999_999))@example.org"
        let made = try await clinician.post(Paths.staffNewProxy(id), pairs: [
            ("name", "Pat Parent"), ("email", email), ("relationship", "parent"), ("scopes", "see-record"), ("scopes", "download"),
            ("documentType", "Birth certificate"), ("documentReference", "BC-1234"), ("documentDate", "2013-05-01"),
        ])
        #expect(made.status == .ok, "\(made.body)")
        let code = try #require(Browser.firstMatch(#"not by email: ([0-9A-Z]{4}-[0-9A-Z]{4})"#, in: made.body))
        let mail = try #require(try await Flows.lastMail(env, to: email))
        let path = try #require(Flows.link(in: mail))
        let parent = Browser(client)
        _ = try await parent.get(path + "/account")
        _ = try await parent.post(path + "/account", ["name": "Pat Parent", "password": Flows.password])
        _ = try await Flows.signIn(parent, email: email)
        _ = try await parent.get(path)
        #expect(try await parent.post(path, ["code": code, "agree": "yes"]).location == Paths.patientHome(id) + "?notice=proxy-accepted")
        // The grant names the staff member and the document, and ends on the 18th birthday at the latest.
        let grant = try #require(try await env.database.read {
            try await PatientRecordReader($0, patient: child.id, visibility: .wholeRecord).proxyGrants()
        }.first)
        #expect(grant.document == ProxyDocument(type: "Birth certificate", reference: "BC-1234", date: "2013-05-01"))
        #expect(grant.grant.expiresAt == child.birthDate.instant(turning: 18, in: env.configuration.timeZone))
        #expect(try await AuditTrail.events(env, action: .proxyInvited, patient: child.id).first?.actorRole == .clinician)
        return parent
    }

    @Test("Walked as the parent of a 13-year-old, no route shows care outside the adolescent set or a confidential item; the admin's rules apply at once",
          arguments: testDatabases)
    func adolescent(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { client, env in
            let summary = try await RecordImportService(env: env).importBundle(
                try ClinicBundle.json(mrn: "TEEN-1", birthDate: Self.birthDate(yearsOld: 13), confidentialMedicine: true),
                source: "clinic.json", by: nil, info: .commandLine)
            let child = summary.patient
            let id = child.id.description
            let parent = try await Self.parent(client, env, of: child)
            let rules = ProxyRules()
            let stored = try await env.database.read { try await FHIRResourceRepository($0).all(patientScope: id) }
            let confidential = try #require(stored.first { $0.json.contains("v3-ActCode") })
            let hidden = stored.filter { !rules.adolescentParentTypes.contains($0.resourceType) || $0.id == confidential.id }
            #expect(hidden.count >= 8 && hidden.contains { $0.resourceType == "Observation" } && hidden.contains { $0.resourceType == "Condition" })
            let visit = try #require(stored.first { $0.resourceType == "Encounter" })
            let routes = makeRouter(env: env).routes.filter { $0.method == .get }.map { "\($0.path)" }
                .filter { $0.contains(":patient") || $0.contains("{patient}") }
            let uris = RecordDoorTests.walk(routes, patient: id, visit: visit.id,
                                            items: hidden.map { ($0.resourceType, $0.id) } + [("AllergyIntolerance", stored.first { $0.resourceType == "AllergyIntolerance" }!.id)])
                + hidden.map { Paths.fhirResource(type: $0.resourceType, id: $0.id) }
            let words = ["Pneumonia", "pneumonia", "Amoxicillin", "Blood pressure panel", "128/84", "128 / 84", "Chest X-ray", "consolidation", "Discharge"]
            var okCount = 0
            for uri in uris {
                let page = try await parent.get(uri)
                let text = try RecordDoorTests.text(of: page)
                for item in hidden { #expect(!text.contains(item.id), "\(uri) shows hidden \(item.resourceType)/\(item.id)") }
                for word in words { #expect(!text.contains(word), "\(uri) says “\(word)”") }
                #expect(page.status.code < 500, "\(uri): \(page.status)")
                if page.status == .ok { okCount += 1 }
            }
            #expect(okCount > 15, "the walk reached the record's pages")
            // What a parent may see, they see: the allergy and the stopped medicine; and whose record it is.
            let home = try await parent.get(Paths.patientHome(id))
            #expect(home.body.contains("Allergy to penicillin"))
            #expect(home.body.contains("Viewing the record of \(child.fullName) — you are their proxy (parent)."))
            let medicines = try await parent.get(Paths.recordSection(id, .medications))
            #expect(medicines.body.contains("Old inhaler") && !medicines.body.contains("Amoxicillin"))

            // The history lists only accesses to what the parent may see: not the clinician's look at the medicine.
            let doctor = try await ReleaseWorkflowTests.staff(client, env, role: .clinician)
            #expect(try await doctor.get(Paths.recordItem(id, type: "MedicationRequest", id: confidential.id)).status == .ok)
            let history = try await parent.get(Paths.accessHistory(id))
            #expect(history.status == .ok && history.body.contains("You"))
            #expect(!history.body.contains("Dr Release"), "the parent learns nothing of the clinician's look at a confidential item")

            // The administrator stops keeping sexual and reproductive health from parents: the next click shows the medicine.
            let admin = try await ReleaseWorkflowTests.staff(client, env, role: .admin)
            let form = try await admin.get(Paths.proxyRules)
            #expect(form.status == .ok && form.body.contains("v3-ActCode|SEX"))
            let bad = try await admin.post(Paths.proxyRules, pairs: [("codes-mental-health", "not a code"), ("applies-mental-health", "yes")])
            #expect(bad.status == .badRequest && bad.body.contains(##"href="#field-codes-mental-health""##))
            let current = try await ProxyRulesService(env: env).current()
            var fields: [(String, String)] = []
            for category in current.confidential {
                fields.append(("codes-\(category.id)", category.codes.sorted().joined(separator: "\n")))
                if category.id != "sexual-reproductive-health" { fields.append(("applies-\(category.id)", "yes")) }
            }
            #expect(try await admin.post(Paths.proxyRules, pairs: fields).location == Paths.proxyRules + "?notice=proxy-rules-saved")
            #expect(try await parent.get(Paths.recordSection(id, .medications)).body.contains("Amoxicillin"))
            #expect(try await parent.get(Paths.recordItem(id, type: "MedicationRequest", id: confidential.id)).status == .ok)
            // The patient and the clinic never lost it.
            #expect(try await AuditTrail.events(env, action: .proxyRulesChanged).count == 1)
            // Nobody but an administrator changes the rules.
            #expect(try await parent.get(Paths.proxyRules).status == .notFound)
        }
    }

    @Test("A parent's grant ends on the child's 18th birthday: the next request is refused on that ground", arguments: testDatabases)
    func comesOfAge(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { client, env in
            let summary = try await RecordImportService(env: env).importBundle(
                try ClinicBundle.json(mrn: "TEEN-2", birthDate: Self.birthDate(yearsOld: 17)), source: "clinic.json", by: nil, info: .commandLine)
            let child = summary.patient
            let id = child.id.description
            let parent = try await Self.parent(client, env, of: child)
            #expect(try await parent.get(Paths.patientHome(id)).status == .ok)
            // A year on: the birth date now makes the child 18 today (the clock stands still; the calendar moves).
            let eighteen = Calendar(identifier: .gregorian).date(byAdding: .year, value: -18, to: Date())!
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = env.configuration.timeZone
            let parts = calendar.dateComponents([.year, .month, .day], from: eighteen)
            let birthDate = String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
            try await env.database.write { sql in
                try await sql.raw("UPDATE patients SET birth_date = \(bind: birthDate) WHERE id = \(bind: id)").run()
            }
            #expect(try await parent.get(Paths.patientHome(id)).status == .notFound)
            let denied = try await AuditTrail.events(env, action: .recordAccessDenied, patient: child.id)
            #expect(denied.last?.basis == DenialReason.patientCameOfAge.rawValue)
            // The parent is told once that their access ended (the imported child has no address on file to tell).
            #expect(try await ProxyComingOfAge(env: env).sweep() == 1)
            let parentMail = try await env.database.read { try await OutboxRepository($0).list(limit: 5) }.first
            #expect(parentMail?.subject == "Your access to a child's health record has ended")
            #expect(try await ProxyComingOfAge(env: env).sweep() == 0)
            // The parent's records page says why.
            let records = try await parent.get(Paths.records)
            #expect(records.body.contains("Ended on the patient&#39;s 18th birthday"), "\(records.body)")
        }
    }

    @Test("A clinician widens a parent's access for one adolescent with the young person's agreement, for a year; confidential care stays hidden",
          arguments: testDatabases)
    func widened(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { client, env in
            let summary = try await RecordImportService(env: env).importBundle(
                try ClinicBundle.json(mrn: "TEEN-3", birthDate: Self.birthDate(yearsOld: 14), confidentialMedicine: true),
                source: "clinic.json", by: nil, info: .commandLine)
            let child = summary.patient
            let id = child.id.description
            let parent = try await Self.parent(client, env, of: child)
            let stored = try await env.database.read { try await FHIRResourceRepository($0).all(patientScope: id) }
            let pressure = try #require(stored.first { $0.resourceType == "Observation" })
            let medicine = try #require(stored.first { $0.json.contains("v3-ActCode") })
            let pressurePage = Paths.recordItem(id, type: "Observation", id: pressure.id)
            #expect(try await parent.get(pressurePage).status == .notFound)
            let grant = try #require(try await env.database.read {
                try await PatientRecordReader($0, patient: child.id, visibility: .wholeRecord).proxyGrants()
            }.first)
            let widen = Paths.widenProxy(id, grant.id.description)

            // Front-desk staff cannot; a clinician must write down the agreement and confirm it.
            let frontDesk = try await ReleaseWorkflowTests.staff(client, env, role: .staff)
            _ = try await frontDesk.get(Paths.proxies(id))
            #expect(try await frontDesk.post(widen, ["agreement": "ok", "agreed": "yes"]).status == .notFound)
            let clinician = try await ReleaseWorkflowTests.staff(client, env, role: .clinician)
            let list = try await clinician.get(Paths.proxies(id))
            #expect(list.body.contains(widen))
            let unconfirmed = try await clinician.post(widen, ["agreement": ""])
            #expect(unconfirmed.status == .badRequest && unconfirmed.body.contains("Write down what the young person agreed to"))
            #expect(try await parent.post(widen, ["agreement": "me", "agreed": "yes"]).status == .notFound)
            let done = try await clinician.post(widen, ["agreement": "Mum may see my test results and visits.", "agreed": "yes"])
            #expect(done.location == Paths.proxies(id) + "?notice=proxy-changed")
            #expect(try await clinician.get(Paths.proxies(id)).body.contains("as the young person agreed: Mum may see my test results and visits."))

            // The parent now sees the results; the confidential medicine stays hidden.
            #expect(try await parent.get(pressurePage).status == .ok)
            #expect(try await parent.get(Paths.recordItem(id, type: "MedicationRequest", id: medicine.id)).status == .notFound)
            #expect(!(try await parent.get(Paths.recordSection(id, .medications)).body.contains("Amoxicillin")))
            // A year on, without a new conversation, it lapses.
            try await env.database.write { sql in
                try await sql.raw("UPDATE proxy_grants SET widened_until = 1 WHERE id = \(bind: grant.id.description)").run()
            }
            #expect(try await parent.get(pressurePage).status == .notFound)
        }
    }

    @Test("Security labels of resources stored before labels were indexed are indexed once at start-up", arguments: testDatabases)
    func labelsOfOlderResources(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { _, env in
            let summary = try await RecordImportService(env: env).importBundle(
                try ClinicBundle.json(mrn: "TEEN-4", birthDate: Self.birthDate(yearsOld: 13), confidentialMedicine: true),
                source: "clinic.json", by: nil, info: .commandLine)
            let id = summary.patient.id.description
            let label = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
            func labelRows() async throws -> Int {
                try await env.database.read { sql in
                    try await sql.raw("SELECT COUNT(*) AS n FROM fhir_resource_codes WHERE patient_scope = \(bind: id) AND system = \(bind: label)")
                        .first().map { try $0.decode(column: "n", as: Int.self) } ?? 0
                }
            }
            #expect(try await labelRows() == 1, "new imports index the label")
            // As stored before: no label in the index, and the indexing not yet done.
            try await env.database.write { sql in
                try await sql.raw("DELETE FROM fhir_resource_codes WHERE system = \(bind: label)").run()
                try await sql.raw("DELETE FROM settings WHERE name = \(bind: SecurityLabelIndexing.doneSetting)").run()
            }
            #expect(try await labelRows() == 0)
            #expect(try await SecurityLabelIndexing(env: env).run() >= 1)
            #expect(try await labelRows() == 1)
            #expect(try await SecurityLabelIndexing(env: env).run() == 0, "once")
        }
    }
}
