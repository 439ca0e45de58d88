import CareVaultCore
@testable import CareVaultServer
import CareVaultStore
import Foundation
import HummingbirdTesting
import Testing

/// Proxy access over HTTP on both databases: a patient invites a caregiver, who signs up, proves who
/// they are and accepts; the caregiver reads through the record's door within their scopes; the patient
/// sees each access with the grant named, and revoking refuses the very next request.
@Suite("Proxy access")
struct ProxyAccessTests {
    /// The patient invites `email` from the proxies page; returns the short code shown once and the invitation path.
    static func invite(_ patient: Browser, _ env: AppEnvironment, record id: String, name: String = "Sam Carer", email: String,
                       scopes: [ProxyScope] = [.seeRecord], confirmWith: ProxyConfirmation = .code) async throws -> (code: String?, path: String) {
        #expect(try await patient.get(Paths.newProxy(id)).status == .ok)
        let sent = try await patient.post(Paths.newProxy(id), pairs: [("name", name), ("email", email), ("months", "12"),
                                                                    ("confirmWith", confirmWith.rawValue)] + scopes.map { ("scopes", $0.rawValue) })
        #expect(sent.status == .ok, "\(sent.body)")
        #expect(sent.body.contains("Invitation sent"))
        let code = Browser.firstMatch(#"not by email: ([0-9A-Z]{4}-[0-9A-Z]{4})"#, in: sent.body)
        let mail = try #require(try await Flows.lastMail(env, to: email))
        let path = try #require(Flows.link(in: mail))
        #expect(path.hasPrefix("/proxy-invitations/"))
        return (code, path)
    }

    @Test("A caregiver is invited, signs up, accepts with the code and reads within their scope; the patient sees it and revokes; the next click is refused",
          arguments: testDatabases)
    func inviteAcceptUseRevoke(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { client, env in
            let (patient, record) = try await RecordSectionTests.clinicPatient(client, env)
            let id = record.id.description
            let email = "carer\(Int.random(in: 1...999_999))@example.org"
            let (code, path) = try await Self.invite(patient, env, record: id, email: email)
            let code1 = try #require(code)
            // Nothing is stored in the clear: neither the link's token nor the code.
            let token = String(path.dropFirst("/proxy-invitations/".count))
            let stored = try await env.database.read { try await ProxyGrantRepository($0).invitation(hash: SecretToken.hash(token)) }
            #expect(stored?.codeHash != nil && stored?.codeHash != code1 && stored?.codeHash?.contains(HumanCode.normalize(code1)) == false)

            let carer = Browser(client)
            let invitation = try await carer.get(path)
            #expect(invitation.body.contains("Sign in to accept") && invitation.body.contains("See the record, and who has seen it"))
            #expect(try await carer.get(path + "/account").status == .ok)
            let created = try await carer.post(path + "/account", ["name": "Sam Carer", "password": Flows.password])
            let signInPath = try #require(created.location)
            #expect(signInPath.hasPrefix(Paths.signIn + "?notice=proxy-account-created&next="))
            #expect(try await carer.get(signInPath).body.contains(#"name="next" value="\#(path)""#))
            let signedIn = try await carer.post(Paths.signIn, ["email": email, "password": Flows.password, "next": path])
            #expect(signedIn.location == path)
            // Someone with no record of their own starts on the records they may open (none yet).
            #expect(try await carer.get(Paths.home).location == Paths.records)
            #expect(try await carer.get(Paths.patientHome(id)).status == .notFound)

            // Signed in: the terms and the form; a wrong code, then no agreement, are form errors.
            let form = try await carer.get(path)
            #expect(form.body.contains("I agree to these terms") && form.body.contains("I, Sam Carer, accept proxy access"))
            let wrong = try await carer.post(path, ["code": "AAAA-AAAA", "agree": "yes"])
            #expect(wrong.status == .badRequest && wrong.body.contains("That code does not match"))
            let unagreed = try await carer.post(path, ["code": code1])
            #expect(unagreed.status == .badRequest && unagreed.body.contains("Tick the box to agree"))
            let accepted = try await carer.post(path, ["code": code1.lowercased().replacingOccurrences(of: "-", with: " "), "agree": "yes"])
            #expect(accepted.location == Paths.patientHome(id) + "?notice=proxy-accepted")
            // The invitation is used up.
            let again = try await carer.post(path, ["code": code1, "agree": "yes"])
            #expect(again.status == .notFound && again.body.contains("does not work any more"))
            let carerAccount = try #require(try await env.database.read { try await AccountRepository($0).find(email: email) })
            let grant = try #require(try await env.database.read { try await ProxyGrantRepository($0).held(by: carerAccount.id) }.first)
            #expect(grant.stored.acceptedText?.contains("I, Sam Carer, accept proxy access to the health record of \(record.fullName)") == true)
            #expect(try await Flows.lastMail(env, to: "clinic-1@example.org")?.contains("Sam Carer accepted the proxy access") == true)

            // The caregiver reads the record, named on every page, within the scope: no downloads, no uploads.
            let home = try await carer.get(Paths.patientHome(id))
            #expect(home.status == .ok)
            #expect(home.body.contains("Viewing the record of \(record.fullName) — you are their proxy (caregiver)."))
            #expect(home.body.contains(#"aria-label="Records you can open""#))
            #expect(!home.body.contains(Paths.exportZIP(id)))
            let results = try await carer.get(Paths.labResults(id))
            #expect(results.status == .ok && results.body.contains("Viewing the record of"))
            #expect(try await carer.get(Paths.labResultsCSV(id)).status == .notFound)
            #expect(try await carer.get(Paths.exportZIP(id)).status == .notFound)
            #expect(try await carer.get(Paths.proxies(id)).status == .notFound)
            #expect(try await Flows.lastMail(env, to: "clinic-1@example.org")?.contains("Sam Carer used the proxy access you gave them") == true)
            let records = try await carer.get(Paths.records)
            #expect(records.status == .ok && records.body.contains(record.fullName) && records.body.contains("see the record"))

            // The patient sees the caregiver's looks, on the grant's authority, and their acceptance.
            let history = try RecordDoorTests.text(of: try await patient.get(Paths.accessHistory(id)))
            #expect(history.contains("Sam Carer, proxy"))
            #expect(history.contains("Proxy access (caregiver, given by the patient on"))
            #expect(history.contains("Proxy access accepted"))
            let proxies = try await patient.get(Paths.proxies(id))
            #expect(proxies.body.contains("Sam Carer") && proxies.body.contains("Active"))
            let grantID = grant.stored.id.description

            // The patient narrows nothing away by mistake: an empty change names the field.
            let empty = try await patient.post(Paths.proxy(id, grantID), pairs: [("months", "12")])
            #expect(empty.status == .badRequest && empty.body.contains(##"href="#field-scopes""##))
            // Another patient cannot see, change or end this grant.
            let stranger = Browser(client)
            _ = try await Flows.signedInPatient(stranger, env)
            #expect(try await stranger.get(Paths.proxies(id)).status == .notFound)
            _ = try await stranger.get(Paths.records)
            #expect(try await stranger.post(Paths.revokeProxy(id, grantID), [:]).status == .notFound)
            #expect(try await carer.get(Paths.labResults(id)).status == .ok)

            // Revoked: the caregiver's very next request for the record is refused, and the refusal audited.
            _ = try await patient.get(Paths.proxies(id))
            let revoked = try await patient.post(Paths.revokeProxy(id, grantID), [:])
            #expect(revoked.location == Paths.proxies(id) + "?notice=proxy-revoked")
            #expect(try await carer.get(Paths.labResults(id)).status == .notFound)
            #expect(try await carer.get(Paths.patientHome(id)).status == .notFound)
            let denials = try await AuditTrail.events(env, action: .recordAccessDenied, patient: record.id)
            #expect(denials.contains { $0.basis == DenialReason.grantRevoked.rawValue })
            // The caregiver stays signed in to their own account.
            #expect(try await carer.get(Paths.records).status == .ok)
        }
    }

    /// A caregiver who accepted an invitation by the patient's birth date, signed in: their browser and account.
    static func acceptedCarer(_ client: any TestClientProtocol, _ env: AppEnvironment, patient: Browser, record: Patient,
                              scopes: [ProxyScope]) async throws -> (Browser, Account) {
        let email = "carer\(Int.random(in: 1...999_999))@example.org"
        let (code, path) = try await invite(patient, env, record: record.id.description, email: email, scopes: scopes, confirmWith: .birthDate)
        #expect(code == nil, "no code when the birth date confirms")
        let carer = Browser(client)
        _ = try await carer.get(path + "/account")
        _ = try await carer.post(path + "/account", ["name": "Sam Carer", "password": Flows.password])
        _ = try await Flows.signIn(carer, email: email)
        let form = try await carer.get(path)
        #expect(form.body.contains("date of birth"))
        let wrong = try await carer.post(path, ["birthDate": "2001-01-01", "agree": "yes"])
        #expect(wrong.status == .badRequest && wrong.body.contains("That date of birth does not match"))
        let accepted = try await carer.post(path, ["birthDate": record.birthDate.description, "agree": "yes"])
        #expect(accepted.location == Paths.patientHome(record.id.description) + "?notice=proxy-accepted")
        let account = try #require(try await env.database.read { try await AccountRepository($0).find(email: email) })
        return (carer, account)
    }

    @Test("What a caregiver adds is marked as theirs, for the patient and for the clinic", arguments: testDatabases)
    func proxyUploadMarked(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { client, env in
            let (patient, record) = try await RecordSectionTests.clinicPatient(client, env)
            let id = record.id.description
            let (carer, account) = try await Self.acceptedCarer(client, env, patient: patient, record: record, scopes: [.seeRecord, .contribute])
            _ = try await carer.get(Paths.uploads(id))
            let sent = try await carer.postMultipart(Paths.uploads(id), files: [.init(name: "letter.pdf", bytes: try PatientUploadTests.fixture("crazyones.pdf"))])
            #expect(sent.status.code < 400, "\(sent.status)")
            let upload = try #require(try await env.database.read {
                try await UploadRepository($0).list(patient: record.id, visibility: .wholeRecord, limit: 1, offset: 0)
            }.first)
            #expect(upload.uploadedBy == account.id)
            let own = try await patient.get(Paths.upload(id, upload.id))
            #expect(own.body.contains("Added by Sam Carer for you"))
            let doctor = try await ReleaseWorkflowTests.staff(client, env, role: .clinician)
            let seen = try await doctor.get(Paths.upload(id, upload.id))
            #expect(seen.body.contains("Added by Sam Carer for \(record.fullName)"), "\(seen.status)")
            // The stored DocumentReference says so too.
            let document = try #require(try await env.database.read {
                try await FHIRResourceRepository($0).findWhole(type: "DocumentReference", id: upload.documentID)
            })
            #expect(document.source == RecordOrigin.source(forProxy: account.id.description))
            let item = try await patient.get(Paths.recordItem(id, type: "DocumentReference", id: upload.documentID))
            #expect(item.body.contains("Added by Sam Carer for you"))
            // Without the scope, no adding.
            let (reader, _) = try await Self.acceptedCarer(client, env, patient: patient, record: record, scopes: [.seeRecord])
            _ = try await reader.get(Paths.uploads(id))
            let refused = try await reader.postMultipart(Paths.uploads(id), files: [.init(name: "x.pdf", bytes: try PatientUploadTests.fixture("crazyones.pdf"))])
            #expect(refused.status == .notFound)
        }
    }

    @Test("Invitations refuse the wrong account, a withdrawn or expired invitation, and too many wrong codes", arguments: testDatabases)
    func invitationRefusals(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { client, env in
            let patient = Browser(client)
            let (record, ownEmail) = try await Flows.signedInPatient(patient, env)
            let id = record.id.description
            // Not to oneself, and every field named.
            _ = try await patient.get(Paths.newProxy(id))
            let selfInvite = try await patient.post(Paths.newProxy(id), pairs: [("name", "Me"), ("email", ownEmail), ("months", "12"), ("scopes", "see-record")])
            #expect(selfInvite.status == .badRequest && selfInvite.body.contains("not your own"))
            let empty = try await patient.post(Paths.newProxy(id), pairs: [("months", "40")])
            #expect(empty.status == .badRequest)
            for field in ["name", "email", "scopes", "months"] { #expect(empty.body.contains(##"href="#field-\##(field)""##), "\(field)") }

            // The wrong account: someone else signed in with the right code is refused, and nothing is accepted.
            let (code, path) = try await Self.invite(patient, env, record: id, email: "right@example.org")
            let other = Browser(client)
            _ = try await Flows.signedInPatient(other, env)
            _ = try await other.get(path)
            let wrongAccount = try await other.post(path, ["code": try #require(code), "agree": "yes"])
            #expect(wrongAccount.status == .forbidden && wrongAccount.body.contains("This invitation is for someone else") && wrongAccount.body.contains("r•••@example.org"))
            #expect(try await other.get(Paths.patientHome(id)).status == .notFound)

            // Withdrawn by the patient: the link no longer works.
            let grants = try await env.database.read { try await PatientRecordReader($0, patient: record.id, visibility: .wholeRecord).proxyGrants() }
            let first = try #require(grants.first)
            #expect(first.grant.acceptedAt == nil)
            _ = try await patient.get(Paths.proxies(id))
            #expect(try await patient.post(Paths.revokeProxy(id, first.id.description), [:]).location == Paths.proxies(id) + "?notice=proxy-revoked")
            #expect(try await other.get(path).status == .notFound)

            // Expired after 7 days.
            let (_, expiring) = try await Self.invite(patient, env, record: id, email: "late@example.org")
            #expect(try await other.get(expiring).status == .ok)
            let expiredToken = SecretToken.hash(String(expiring.dropFirst("/proxy-invitations/".count)))
            try await env.database.write { sql in
                try await sql.raw("UPDATE proxy_grants SET invitation_expires_at = 0 WHERE invitation_hash = \(bind: expiredToken)").run()
            }
            let expired = try await other.get(expiring)
            #expect(expired.status == .notFound && expired.body.contains("does not work any more"))

            // Five wrong codes and the invitation is spent, even for the right one afterwards; each try is audited.
            let guessed = "guess@example.org"
            let (goodCode, guessedPath) = try await Self.invite(patient, env, record: id, email: guessed)
            let guesser = Browser(client)
            _ = try await guesser.get(guessedPath + "/account")
            _ = try await guesser.post(guessedPath + "/account", ["name": "Guess Who", "password": Flows.password])
            _ = try await Flows.signIn(guesser, email: guessed)
            _ = try await guesser.get(guessedPath)
            for attempt in 1...5 {
                let page = try await guesser.post(guessedPath, ["code": "ZZZZ-ZZZ\(attempt)", "agree": "yes"])
                #expect(page.status == (attempt < 5 ? .badRequest : .notFound), "attempt \(attempt)")
            }
            #expect(try await guesser.post(guessedPath, ["code": try #require(goodCode), "agree": "yes"]).status == .notFound)
            #expect(try await guesser.get(Paths.patientHome(id)).status == .notFound)
            #expect(try await AuditTrail.events(env, action: .proxyConfirmationFailed, patient: record.id).count == 5)
            // A clinic account never becomes someone's proxy, even with the right address and code.
            let staffEmail = "nurse\(Int.random(in: 1...999_999))@example.org"
            _ = try await AccountService(env: env).createStaff(email: staffEmail, name: "Nurse Who", role: .staff, password: Flows.password, by: nil,
                                                               info: .commandLine)
            let (staffCode, staffPath) = try await Self.invite(patient, env, record: id, email: staffEmail)
            let nurse = Browser(client)
            _ = try await Flows.signIn(nurse, email: staffEmail)
            _ = try await nurse.get(staffPath)
            let clinicAccount = try await nurse.post(staffPath, ["code": try #require(staffCode), "agree": "yes"])
            #expect(clinicAccount.status == .forbidden && clinicAccount.body.contains("Use a personal account"))
            // An unknown or malformed link says the same.
            #expect(try await guesser.get("/proxy-invitations/nonsense").status == .notFound)
            #expect(try await guesser.get("/proxy-invitations/" + String(repeating: "a", count: 500)).status == .notFound)
        }
    }

    @Test("30 days before a grant ends the patient is reminded once; renewing with one click starts a new year", arguments: testDatabases)
    func reminderAndRenewal(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { client, env in
            let (patient, record) = try await RecordSectionTests.clinicPatient(client, env)
            let id = record.id.description
            let (carer, _) = try await Self.acceptedCarer(client, env, patient: patient, record: record, scopes: [.seeRecord])
            let grant = try #require(try await env.database.read {
                try await PatientRecordReader($0, patient: record.id, visibility: .wholeRecord).proxyGrants()
            }.first)
            // Nothing is due a year ahead.
            #expect(try await ProxyReminders(env: env).sweep() == 0)
            let soon = Date().addingTimeInterval(10 * 24 * 3600)
            try await env.database.write { sql in
                try await sql.raw("UPDATE proxy_grants SET expires_at = \(bind: Int64(soon.timeIntervalSince1970 * 1000)) WHERE id = \(bind: grant.id.description)").run()
            }
            #expect(try await ProxyReminders(env: env).sweep() == 1)
            let mail = try #require(try await Flows.lastMail(env, to: "clinic-1@example.org"))
            #expect(mail.contains("The proxy access you gave Sam Carer ends on") && mail.contains("renew it with one click"))
            #expect(try await ProxyReminders(env: env).sweep() == 0, "once per grant")
            // Renewed: a year from today, and a fresh reminder next time.
            let list = try await patient.get(Paths.proxies(id))
            #expect(list.body.contains("(soon: renew it to keep it)"))
            #expect(try await patient.post(Paths.renewProxy(id, grant.id.description), [:]).location == Paths.proxies(id) + "?notice=proxy-renewed")
            let renewed = try #require(try await env.database.read {
                try await PatientRecordReader($0, patient: record.id, visibility: .wholeRecord).proxyGrants()
            }.first)
            #expect((renewed.grant.expiresAt?.timeIntervalSinceNow ?? 0) > 360 * 24 * 3600)
            #expect(try await carer.get(Paths.labResults(id)).status == .ok)
            // Only the patient renews: the caregiver cannot, and neither can anyone else.
            #expect(try await carer.post(Paths.renewProxy(id, grant.id.description), [:]).status == .notFound)
        }
    }

    @Test("A proxy allowed to manage others passes on no more than their own access, and never renews", arguments: testDatabases)
    func managerCannotEscalate(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { client, env in
            let (patient, record) = try await RecordSectionTests.clinicPatient(client, env)
            let id = record.id.description
            let (manager, _) = try await Self.acceptedCarer(client, env, patient: patient, record: record, scopes: [.seeRecord, .manageProxies])
            let own = try #require(try await env.database.read {
                try await PatientRecordReader($0, patient: record.id, visibility: .wholeRecord).proxyGrants()
            }.first)
            let list = try await manager.get(Paths.proxies(id))
            #expect(list.status == .ok && !list.body.contains(Paths.renewProxy(id, own.id.description)))
            _ = try await manager.get(Paths.newProxy(id))
            let wider = try await manager.post(Paths.newProxy(id), pairs: [("name", "Friend"), ("email", "friend@example.org"), ("months", "12"),
                                                                           ("scopes", "see-record"), ("scopes", "download")])
            #expect(wider.status == .badRequest && wider.body.contains("You can only pass on what your own access allows."))
            let widerSelf = try await manager.post(Paths.proxy(id, own.id.description), pairs: [("scopes", "see-record"), ("scopes", "download"),
                                                                                                ("scopes", "manage-proxies")])
            #expect(widerSelf.status == .badRequest)
            let longer = try await manager.post(Paths.proxy(id, own.id.description), pairs: [("scopes", "see-record"), ("months", "18")])
            #expect(longer.status == .badRequest && longer.body.contains("Only the patient sets how long"))
            #expect(try await manager.post(Paths.renewProxy(id, own.id.description), [:]).status == .notFound)
            let same = try await manager.post(Paths.newProxy(id), pairs: [("name", "Friend"), ("email", "friend@example.org"), ("months", "12"),
                                                                          ("scopes", "see-record")])
            #expect(same.status == .ok && same.body.contains("Invitation sent"))
            let after = try #require(try await env.database.read {
                try await PatientRecordReader($0, patient: record.id, visibility: .wholeRecord).proxyGrants()
            }.first { $0.id == own.id })
            #expect(after.grant.scopes == [.seeRecord, .manageProxies] && after.grant.expiresAt == own.grant.expiresAt)

            // The proxy gives the grant up themself: the patient is told, and the record is closed to them.
            let records = try await manager.get(Paths.records)
            #expect(records.body.contains(Paths.giveUpProxy(own.id.description)))
            #expect(try await manager.post(Paths.giveUpProxy(GrantID().description), [:]).status == .notFound)
            #expect(try await manager.post(Paths.giveUpProxy(own.id.description), [:]).location == Paths.records + "?notice=proxy-given-up")
            #expect(try await manager.get(Paths.patientHome(id)).status == .notFound)
            #expect(try await Flows.lastMail(env, to: "clinic-1@example.org")?.contains("Sam Carer gave up the proxy access you gave them") == true)
            #expect(try await patient.get(Paths.proxies(id)).body.contains("Ended: they gave it up"))
        }
    }

    @Test("An invitation's token never reaches the logs: the path is cut where it would be")
    func tokenNotLogged() {
        #expect(ErrorPageMiddleware.loggable("/proxy-invitations/SeCrEt-token_1/account") == "/proxy-invitations/…/account")
        #expect(ErrorPageMiddleware.loggable("/proxy-invitations/SeCrEt") == "/proxy-invitations/…")
        #expect(ErrorPageMiddleware.loggable("/patients/x/proxies") == "/patients/x/proxies")
    }
}
