import CareVaultCore
@testable import CareVaultServer
import CareVaultStore
import Foundation
import HummingbirdTesting
import SQLKit
import Testing

/// Sharing with a specialist over HTTP on both databases: the patient chooses, previews and creates a
/// share; a recipient with no account opens it with the code and reads exactly what was shared, through
/// the record's door; every look is in the patient's history; revoking, expiry, once-only and five wrong
/// codes end it.
@Suite("Share links")
struct ShareLinkTests {
    /// The patient shares `pairs` (sections, visits, items…) labelled `label`; returns the link's path and the code.
    static func share(_ patient: Browser, record id: String, label: String = "For Dr Okafor, cardiology", days: String = "7",
                      what pairs: [(String, String)], options: [String] = ["download"]) async throws -> (path: String, code: String, preview: String, created: String) {
        #expect(try await patient.get(Paths.newShare(id)).status == .ok)
        let preview = try await patient.post(Paths.sharePreview(id), pairs: pairs + [("label", label), ("days", days), ("note", "Please look at the X-ray.")]
                                                + options.map { ("options", $0) })
        #expect(preview.status == .ok, "\(preview.body)")
        let items = preview.body.matches(of: /name="item" value="([^"]+)"/).map { String($0.output.1) }
        var hidden: [(String, String)] = items.map { ("item", $0) } + [("label", label), ("days", days), ("note", "Please look at the X-ray.")]
        for option in options { hidden.append((option, "yes")) }
        let created = try await patient.post(Paths.shares(id), pairs: hidden)
        #expect(created.status == .ok, "\(created.body)")
        #expect(created.body.contains("Your share is ready") && created.body.contains("<svg"))
        let link = try #require(Browser.firstMatch(#"(https?://[^<\s]+/s/[A-Za-z0-9_-]+)"#, in: created.body))
        let code = try #require(Browser.firstMatch(#"<code class="secret">([0-9A-Z]{4}-[0-9A-Z]{4})</code>"#, in: created.body))
        return (URLComponents(string: link)!.path, code, preview.body, created.body)
    }

    static func visitID(_ env: AppEnvironment, _ patient: PatientID) async throws -> String {
        let door = RecordDoor(env: env)
        let patientRecord = try #require(try await env.database.read { try await PatientRepository($0).find(id: patient) })
        return try await door.asOperator(patientRecord, for: .readRecord, info: .commandLine, target: ResourceRef(type: "Encounter", id: "list")) { record in
            try await record.read { try #require(try await $0.search($0.query(resourceType: "Encounter", limit: 1)).first).id }
        }
    }

    @Test("A visit is shared with its documents; the recipient enters the code, reads and downloads exactly that; the patient sees it and ends it",
          arguments: testDatabases)
    func shareVisitOpenRevoke(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { client, env in
            let (patient, record) = try await RecordSectionTests.clinicPatient(client, env)
            let id = record.id.description
            let visit = try await Self.visitID(env, record.id)
            #expect(try await patient.get(Paths.patientHome(id)).body.contains(Paths.shares(id)))
            // Every item page offers to share that item: the form comes with it ticked.
            let allergies = try await patient.get(Paths.recordSection(id, .allergies))
            let allergy = try #require(RecordSectionTests.links(allergies.body, under: "/patients/\(id)/items/AllergyIntolerance/").first)
            let shareThis = try #require(Browser.firstMatch(#"href="(/patients/[^"]+/shares/new\?item=[^"]+)""#, in: try await patient.get(allergy).body))
            let prefilled = try await patient.get(shareThis.replacingOccurrences(of: "&#x2F;", with: "/").replacingOccurrences(of: "&#47;", with: "/"))
            #expect(prefilled.body.contains("Allergy to penicillin") && prefilled.body.contains(#"name="item" value="AllergyIntolerance/"#))
            let (path, code, preview, _) = try await Self.share(patient, record: id, what: [("visit", visit)])
            // The preview lists the visit and what was recorded at it — not the allergy, which was not.
            #expect(preview.contains("Discharge summary") && preview.contains("Chest X-ray") && preview.contains("Amoxicillin"))
            #expect(!preview.contains("Allergy to penicillin"))
            // Neither the token nor the code is stored in the clear.
            let token = String(path.dropFirst(3))
            let stored = try #require(try await env.database.read { try await ShareLinkRepository($0).find(tokenHash: ShareSecrets.tokenHash(token, env: env)) })
            #expect(stored.codeHash != code && !stored.codeHash.contains(HumanCode.normalize(code)))
            let rows = try await env.database.read { sql in try await sql.raw("SELECT token_hash FROM share_links").all().map { try $0.decode(column: "token_hash", as: String.self) } }
            #expect(!rows.contains(token))

            // The recipient: no account, a second browser.
            let doctor = Browser(client)
            let form = try await doctor.get(path)
            #expect(form.status == .ok && form.body.contains("Access code") && !form.body.contains(record.fullName))
            #expect(try await doctor.get(Paths.sharedRecord).status == .unauthorized)
            let empty = try await doctor.post(path, ["code": " "])
            #expect(empty.status == .badRequest && empty.body.contains("Enter the access code you were given."))
            let wrong = try await doctor.post(path, ["code": "AAAA-AAAA"])
            #expect(wrong.status == .badRequest && wrong.body.contains("That code does not match") && wrong.body.contains("4 tries are left"))
            let entered = try await doctor.post(path, ["code": code.lowercased()])
            #expect(entered.location == Paths.sharedRecord)
            let shared = try await doctor.get(Paths.sharedRecord)
            #expect(shared.status == .ok && shared.headers[.cacheControl] == "no-store")
            #expect(shared.body.contains("Health records of \(record.fullName)") && shared.body.contains("For Dr Okafor, cardiology"))
            #expect(shared.body.contains("Please look at the X-ray.") && shared.body.contains("Discharge summary") && shared.body.contains("Pneumonia"))
            #expect(!shared.body.contains("Allergy to penicillin") && !shared.body.contains("Recovery after pneumonia"))

            // Every item page of the share opens; nothing else of the record answers, whatever id is tried.
            let sharedLinks = Set(RecordSectionTests.links(shared.body, under: "/shared/items/"))
            // The preview listed exactly what the recipient sees.
            let previewed = Set(preview.matches(of: /name="item" value="([^"\/]+)\/([^"]+)"/).map { Paths.sharedItem(type: String($0.output.1), id: String($0.output.2)) })
            #expect(previewed == sharedLinks, "preview \(previewed.subtracting(sharedLinks)), shared \(sharedLinks.subtracting(previewed))")
            #expect(sharedLinks.count >= 6)
            for link in sharedLinks { #expect(try await doctor.get(link).status == .ok, "\(link)") }
            let everything = try await env.database.read { sql in
                try await sql.raw("SELECT resource_type, id FROM fhir_resources WHERE patient_scope = \(bind: id)").all().map {
                    (try $0.decode(column: "resource_type", as: String.self), try $0.decode(column: "id", as: String.self))
                }
            }
            var outside = 0
            for (type, itemID) in everything where !sharedLinks.contains(Paths.sharedItem(type: type, id: itemID)) {
                let page = try await doctor.get(Paths.sharedItem(type: type, id: itemID))
                #expect(page.status == .notFound, "\(type)/\(itemID) answered \(page.status)")
                outside += 1
            }
            #expect(outside >= 4)
            // The share's session reaches none of the patient's own pages.
            #expect(try await doctor.get(Paths.patientHome(id)).status == .seeOther)
            #expect(try await doctor.get(Paths.recordSection(id, .allergies)).status == .seeOther)

            // Downloads: the discharge summary's original bytes, the PDF, the FHIR bundle.
            var files: [String] = []
            for link in sharedLinks where link.contains("/DocumentReference/") {
                files += RecordSectionTests.links(try await doctor.get(link).body, under: link + "/files/")
            }
            #expect(files.count == 2, "\(files)")
            for link in files {
                let file = try await doctor.get(link)
                #expect(file.status == .ok && file.headers[.cacheControl] == "no-store" && !file.bytes.isEmpty, "\(link)")
            }
            #expect(try await doctor.get(files[0].replacingOccurrences(of: "/files/0", with: "/files/9")).status == .notFound)
            let pdf = try await doctor.get(Paths.sharedPDF)
            #expect(pdf.status == .ok && pdf.bytes.starts(with: Array("%PDF".utf8)))
            let bundle = try await doctor.get(Paths.sharedFHIR)
            #expect(bundle.status == .ok && bundle.body.contains(#""type":"collection""#) && bundle.body.contains("Discharge summary"))
            #expect(!bundle.body.contains("Allergy to penicillin") && !bundle.body.contains("CLINIC-1"))

            // The patient sees each look, with the share's label and the address it came from.
            let history = try await patient.get(Paths.accessHistory(id))
            #expect(history.body.contains("Someone with “For Dr Okafor, cardiology”"), "\(history.body)")
            #expect(history.body.contains("Share link “For Dr Okafor, cardiology”"))
            let basis = Basis.grant(kind: .shareLink, id: stored.0.share.id).description
            let reads = try await AuditTrail.events(env, patient: record.id, basis: basis)
            #expect(reads.contains { $0.action == .recordDownloaded && $0.entities.contains { $0.hasPrefix("DocumentReference/") } })
            #expect(reads.contains { $0.action == .shareOpened } && reads.contains { $0.action == .shareCodeFailed })
            #expect(reads.allSatisfy { $0.actorAccount == nil })

            // Paths with the link's token are logged without it.
            #expect(ErrorPageMiddleware.loggable(path) == "/s/…")
            #expect(ErrorPageMiddleware.loggable("/shl/files/abc/1?ticket=x") == "/shl/files/…/1")
            #expect(ErrorPageMiddleware.loggable("/shl/SeCrEt") == "/shl/…")

            // The list shows it, opened once; the patient ends it and the next request gets no data.
            let list = try await patient.get(Paths.shares(id))
            #expect(list.body.contains("For Dr Okafor, cardiology") && list.body.contains("Opened once") && list.body.contains("Active"))
            let revoke = try await patient.post(Paths.revokeShare(id, stored.0.share.id.description), [:])
            #expect(revoke.location == Paths.shares(id) + "?notice=share-revoked")
            let ended = try await doctor.get(Paths.sharedRecord)
            #expect(ended.status == .gone && ended.body.contains("This share has ended") && !ended.body.contains("Pneumonia"))
            let afterwards = try await doctor.get(sharedLinks.first!)
            #expect(afterwards.status == .unauthorized && !afterwards.body.contains("Pneumonia"))
            let again = try await Browser(client).get(path)
            #expect(again.status == .gone && again.body.contains("The person who shared it ended it."))
            #expect(try await patient.get(Paths.shares(id)).body.contains("Ended: it was ended by hand"))
        }
    }

    @Test("Five wrong codes lock a share, also when tried at once; the right code then opens nothing and the patient is told",
          arguments: testDatabases)
    func wrongCodesLock(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { client, env in
            let (patient, record) = try await RecordSectionTests.clinicPatient(client, env)
            let (path, code, _, _) = try await Self.share(patient, record: record.id.description, what: [("section", RecordSection.allergies.rawValue)])
            // The test client sends its requests one at a time over one connection: the tries go to the service at once.
            let token = String(path.dropFirst(3))
            let outcomes = await withTaskGroup(of: String.self) { group in
                for i in 0..<8 {
                    group.addTask {
                        do {
                            _ = try await ShareOpeningService(env: env).open(token: token, code: "WRNG-\(1000 + i)", birthDate: "", info: .commandLine)
                            return "opened"
                        } catch is ValidationFailure { return "wrong" } catch { return "\(error)" }
                    }
                }
                return await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 == "wrong" }.count == ShareLink.attemptLimit - 1, "\(outcomes)")
            #expect(!outcomes.contains("opened"))
            // The right code now opens nothing.
            await #expect(throws: ShareOpeningService.Refusal.ended(.locked)) {
                try await ShareOpeningService(env: env).open(token: token, code: code, birthDate: "", info: .commandLine)
            }
            let locked = try await Browser(client).get(path)
            #expect(locked.status == .gone && locked.body.contains("Too many wrong codes"))
            let count = try await env.database.read { sql in
                try await sql.raw("SELECT failed_attempts, locked_at FROM share_links").first()
            }
            #expect(try count?.decode(column: "failed_attempts", as: Int.self) ?? 0 >= 5)
            let mail = try await Flows.lastMail(env, to: "clinic-1@example.org")
            #expect(mail?.contains("entered a wrong code 5 times") == true, "\(mail ?? "")")
            #expect(try await AuditTrail.events(env, action: .shareLocked, patient: record.id).count == 1)
        }
    }

    @Test("A once-only share opens once; an expired share shows it ended; a birth date asked for must match; sensitive care is left out unless ticked",
          arguments: testDatabases)
    func onceExpiryBirthDateSensitive(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { client, env in
            let summary = try await RecordImportService(env: env).importBundle(try ClinicBundle.json(mrn: "CLINIC-1", confidentialMedicine: true),
                                                                                source: "clinic.json", by: nil, info: .commandLine)
            let activation = try await AccountService(env: env).issueActivationCode(for: summary.patient, by: nil, info: .commandLine)
            let patient = Browser(client)
            try await Flows.register(patient, code: activation.display, birthDate: summary.patient.birthDate.description, email: "clinic-1@example.org")
            try await Flows.signIn(patient, email: "clinic-1@example.org")
            let id = summary.patient.id.description

            // Sensitive care is left out unless ticked.
            _ = try await patient.get(Paths.newShare(id))
            let onlySensitive = try await patient.post(Paths.sharePreview(id), pairs: [("section", "medications"), ("label", "Dr A"), ("days", "7")])
            #expect(onlySensitive.status == .ok)
            #expect(onlySensitive.body.contains("Old inhaler") && !onlySensitive.body.contains("Amoxicillin"))
            #expect(onlySensitive.body.contains("1 item is about sensitive kinds of care and left out"))
            let ticked = try await patient.post(Paths.sharePreview(id), pairs: [("section", "medications"), ("sensitive", "yes"), ("label", "Dr A"), ("days", "7")])
            #expect(ticked.body.contains("Amoxicillin"))

            // Every bad field is named; nothing is created.
            let bad = try await patient.post(Paths.sharePreview(id), pairs: [("label", ""), ("days", "91"), ("from", "2024-13-40")])
            #expect(bad.status == .badRequest)
            for field in ["label", "days", "from", "section"] { #expect(bad.body.contains("href=\"#field-\(field)\""), "\(field)") }
            let forged = try await patient.post(Paths.shares(id), pairs: [("item", "Patient/\(id)"), ("label", "X"), ("days", "7")])
            #expect(forged.status == .badRequest)
            #expect(try await env.database.read { sql in try await sql.raw("SELECT COUNT(*) AS n FROM share_links").first()?.decode(column: "n", as: Int.self) } == 0)

            // Once only, with the birth date asked.
            let (path, code, _, _) = try await Self.share(patient, record: id, what: [("section", "allergies")], options: ["onceOnly", "askBirthDate"])
            let doctor = Browser(client)
            #expect(try await doctor.get(path).body.contains("date of birth"))
            let noDate = try await doctor.post(path, ["code": code, "birthDate": "1999-01-01"])
            #expect(noDate.status == .badRequest && noDate.body.contains("That date of birth does not match"))
            let opened = try await doctor.post(path, ["code": code, "birthDate": summary.patient.birthDate.description])
            #expect(opened.location == Paths.sharedRecord)
            let page = try await doctor.get(Paths.sharedRecord)
            #expect(page.status == .ok && page.body.contains("Allergy to penicillin"))
            // No downloads were allowed.
            #expect(!page.body.contains(Paths.sharedPDF))
            #expect(try await doctor.get(Paths.sharedPDF).status == .notFound)
            let second = Browser(client)
            let used = try await second.post(path, ["code": code, "birthDate": summary.patient.birthDate.description])
            #expect(used.status == .gone || used.status == .forbidden)
            #expect(try await second.get(path).body.contains("It could be opened once, and it has been."))

            // The reading session lasts 30 minutes: after that the code must be entered again (housekeeping deletes it).
            try await env.database.write { sql in
                try await sql.raw("UPDATE share_sessions SET expires_at = \(bind: Int64(Date().timeIntervalSince1970 * 1000) - 1)").run()
            }
            #expect(try await doctor.get(Paths.sharedRecord).status == .unauthorized)
            await Housekeeping(env: env).runOnce()
            #expect(try await PatientUploadTests.rowCount(env, "share_sessions") == 0)

            // Expiry: a share whose end has passed opens nothing, and its open session ends with it.
            let (path2, code2, _, _) = try await Self.share(patient, record: id, what: [("section", "problems")])
            let reader = Browser(client)
            _ = try await reader.get(path2)
            #expect(try await reader.post(path2, ["code": code2]).location == Paths.sharedRecord)
            #expect(try await reader.get(Paths.sharedRecord).status == .ok)
            try await env.database.write { sql in
                try await sql.raw("UPDATE share_links SET expires_at = \(bind: Int64(Date().timeIntervalSince1970 * 1000) - 1000) WHERE label = 'For Dr Okafor, cardiology'").run()
            }
            let expired = try await reader.get(Paths.sharedRecord)
            #expect(expired.status == .gone && expired.body.contains("Its time ran out."))
            #expect(try await Browser(client).get(path2).status == .gone)
        }
    }

    @Test("A proxy who may download shares for the patient; one who may only see cannot; a stranger cannot end someone's share",
          arguments: testDatabases)
    func proxiesAndStrangers(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { client, env in
            let (patient, record) = try await RecordSectionTests.clinicPatient(client, env)
            let id = record.id.description
            let (carer, _) = try await ProxyAccessTests.acceptedCarer(client, env, patient: patient, record: record, scopes: [.seeRecord])
            #expect(try await carer.get(Paths.shares(id)).status == .notFound)
            #expect(try await carer.get(Paths.newShare(id)).status == .notFound)
            let (downloader, _) = try await ProxyAccessTests.acceptedCarer(client, env, patient: patient, record: record, scopes: [.seeRecord, .download])
            let (path, _, _, _) = try await Self.share(downloader, record: id, label: "From the helper", what: [("section", "allergies")])
            #expect(path.hasPrefix("/s/"))
            #expect(try await patient.get(Paths.shares(id)).body.contains("From the helper"))
            let share = try #require(try await env.database.read { sql in
                try await sql.raw("SELECT id FROM share_links").first()?.decode(column: "id", as: String.self)
            })
            let (other, _) = try await RecordSectionTests.clinicPatient(client, env, mrn: "CLINIC-2")
            let otherID = try #require(try await env.database.read { try await PatientRepository($0).find(mrn: "CLINIC-2") }.first).id.description
            _ = try await other.get(Paths.shares(otherID))
            #expect(try await other.post(Paths.revokeShare(otherID, share), [:]).status == .notFound)
            #expect(try await other.post(Paths.revokeShare(id, share), [:]).status == .notFound)
            #expect(try await other.get(Paths.shares(id)).status == .notFound)
            #expect(try await patient.get(Paths.shares(id)).body.contains("Active"))
        }
    }

    @Test("A proxy's share ends with the proxy's access, and the patient is told it was made; a parent of an adolescent sees and ends only their own shares",
          arguments: testDatabases)
    func proxySharesEndWithTheirAccess(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { client, env in
            let (patient, record) = try await RecordSectionTests.clinicPatient(client, env)
            let id = record.id.description
            let (carer, carerAccount) = try await ProxyAccessTests.acceptedCarer(client, env, patient: patient, record: record, scopes: [.seeRecord, .download])
            let (path, code, _, _) = try await Self.share(carer, record: id, label: "Made by the carer", what: [("section", "allergies")])
            let mail = try await Flows.lastMail(env, to: "clinic-1@example.org")
            #expect(mail?.contains("shared 1 allergy as “Made by the carer”") == true, "\(mail ?? "")")
            let doctor = Browser(client)
            _ = try await doctor.get(path)
            #expect(try await doctor.post(path, ["code": code]).location == Paths.sharedRecord)
            #expect(try await doctor.get(Paths.sharedRecord).status == .ok)
            // The patient ends the carer's access: the carer's share stops at the next click.
            let grant = try #require(try await env.database.read { try await ProxyGrantRepository($0).held(by: carerAccount.id) }.first)
            _ = try await patient.get(Paths.proxies(id))
            #expect(try await patient.post(Paths.revokeProxy(id, grant.stored.id.description), [:]).status == .seeOther)
            let ended = try await doctor.get(Paths.sharedRecord)
            #expect(ended.status == .gone && ended.body.contains("no longer has access") && !ended.body.contains("Allergy to penicillin"))
            #expect(try await Browser(client).get(path).status == .gone)
            let list = try await patient.get(Paths.shares(id))
            #expect(list.body.contains("Made by the carer") && list.body.contains("Ended: the person who made it no longer has access"))

            // A 13-year-old's own share is theirs: their parent neither sees nor ends it.
            let summary = try await RecordImportService(env: env).importBundle(
                try ClinicBundle.json(mrn: "TEEN-1", birthDate: ParentProxyTests.birthDate(yearsOld: 13)), source: "teen.json", by: nil, info: .commandLine)
            let teen = summary.patient, teenID = teen.id.description
            let activation = try await AccountService(env: env).issueActivationCode(for: teen, by: nil, info: .commandLine)
            let teenBrowser = Browser(client)
            try await Flows.register(teenBrowser, code: activation.display, birthDate: teen.birthDate.description, email: "teen-1@example.org")
            try await Flows.signIn(teenBrowser, email: "teen-1@example.org")
            _ = try await Self.share(teenBrowser, record: teenID, label: "For the youth clinic", what: [("section", "allergies")])
            let parent = try await ParentProxyTests.parent(client, env, of: teen)
            let parentList = try await parent.get(Paths.shares(teenID))
            #expect(parentList.status == .ok && !parentList.body.contains("For the youth clinic"))
            _ = try await Self.share(parent, record: teenID, label: "For the dentist", what: [("section", "allergies")])
            #expect(try await parent.get(Paths.shares(teenID)).body.contains("For the dentist"))
            let teenShare = try #require(try await env.database.read { sql in
                try await sql.raw("SELECT id FROM share_links WHERE label = 'For the youth clinic'").first()?.decode(column: "id", as: String.self)
            })
            _ = try await parent.get(Paths.shares(teenID))
            #expect(try await parent.post(Paths.revokeShare(teenID, teenShare), [:]).status == .notFound)
            #expect(try await teenBrowser.get(Paths.shares(teenID)).body.contains("For the dentist"))
        }
    }
}
