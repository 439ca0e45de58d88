import CareVaultCore
@testable import CareVaultServer
import CareVaultStore
import Foundation
import SQLKit
import Testing

@Suite("Clinician review of what patients add")
struct ReviewTests {
    static func queueLinks(_ page: Browser.Page) -> [String] {
        RecordSectionTests.links(page.body, under: Paths.reviewQueue + "/")
    }

    @Test("Uploads, reported allergies and out-of-range readings wait in the queue; clinicians open, accept, return and mark them; patients see each status",
          arguments: testDatabases)
    func reviewFlow(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { client, env in
            let patientBrowser = Browser(client)
            let (patient, _) = try await Flows.signedInPatient(patientBrowser, env)
            let id = patient.id.description
            _ = try await patientBrowser.get(Paths.uploads(id))
            let pdf = try PatientUploadTests.fixture("crazyones.pdf")
            #expect(try await patientBrowser.postMultipart(Paths.uploads(id), fields: [("title", "Scan from City Lab")],
                                                           files: [.init(name: "scan.pdf", type: "application/pdf", bytes: pdf)]).status == .ok)
            _ = try await patientBrowser.get(Paths.reportEntry(id, .allergy))
            let empty = try await patientBrowser.post(Paths.reportEntry(id, .allergy), ["name": " ", "since": "2999-01-01"])
            #expect(empty.status == .badRequest && empty.body.contains(##"href="#field-name""##) && empty.body.contains(##"href="#field-since""##))
            let reported = try await patientBrowser.post(Paths.reportEntry(id, .allergy), ["name": "Penicillin", "detail": "Hives", "since": "2015-06-01"])
            #expect(reported.location == Paths.recordSection(id, .allergies) + "?notice=entry-reported")
            _ = try await patientBrowser.get(Paths.readings(id, .oxygen))
            _ = try await patientBrowser.post(Paths.readings(id, .oxygen), ["value": "97", "date": "2026-11-01"])
            _ = try await patientBrowser.post(Paths.readings(id, .oxygen), ["value": "88", "date": "2026-11-02"])

            // The patient's own section lists it apart, unconfirmed, as submitted.
            let allergies = try await patientBrowser.get(Paths.recordSection(id, .allergies))
            #expect(allergies.body.contains("What you told us") && allergies.body.contains("Penicillin") && allergies.body.contains("Submitted"))
            #expect(allergies.body.contains("Added by you"))

            // Patients have no queue.
            #expect(try await patientBrowser.get(Paths.reviewQueue).status != .ok)

            let doctor = try await ReleaseWorkflowTests.staff(client, env, role: .clinician)
            let queue = try await doctor.get(Paths.reviewQueue)
            #expect(queue.status == .ok)
            #expect(queue.body.contains("Uploaded file: Scan from City Lab"))
            #expect(queue.body.contains("Allergy the patient reported: Penicillin"))
            #expect(queue.body.contains("Home reading: Oxygen level (SpO2) 88 %"))
            #expect(!queue.body.contains("97 %"))  // in range: not queued
            #expect(queue.body.contains("is outside the range the care team asked to see"))
            let links = Self.queueLinks(queue)
            #expect(links.count == 3)
            #expect(try await doctor.get(Paths.reviewItem("no-such-item")).status == .notFound)

            // Opening the allergy puts it under review; the patient sees that.
            let allergyLink = try #require(links.first { link in queue.body.contains(##"href="\##(link)">Allergy"##) })
            let opened = try await doctor.get(allergyLink)
            #expect(opened.status == .ok && opened.body.contains("Under review") && opened.body.contains("Hives"))
            #expect(try await patientBrowser.get(Paths.recordSection(id, .allergies)).body.contains("Under review"))

            // Returning needs a comment; accepting verifies it in the chart.
            let noComment = try await doctor.post(allergyLink, ["decision": "return", "comment": ""])
            #expect(noComment.status == .badRequest && noComment.body.contains(##"href="#field-comment""##))
            #expect(try await doctor.post(allergyLink, ["decision": "accept"]).location == allergyLink + "?notice=review-decided")
            let again = try await doctor.post(allergyLink, ["decision": "return", "comment": "no"])
            #expect(again.status == .conflict)
            let verified = try await patientBrowser.get(Paths.recordSection(id, .allergies))
            #expect(verified.body.contains("Verified by Dr Release on"))
            let allergy = try #require(try await env.database.read {
                try await FHIRResourceRepository($0).search(patientScope: id, RecordQuery(resourceType: "AllergyIntolerance", limit: 5))
            }.first)
            #expect(allergy.versionID == 2 && allergy.json.contains(#""code":"confirmed""#))
            let itemPage = try await patientBrowser.get(Paths.recordItem(id, type: "AllergyIntolerance", id: allergy.id))
            #expect(itemPage.body.contains("Added by you") && itemPage.body.contains("Care team: Verified by Dr Release"))
            let provenance = try await env.database.read {
                try await FHIRResourceRepository($0).search(patientScope: id, RecordQuery(resourceType: "Provenance", limit: 10))
            }
            #expect(provenance.contains { $0.json.contains(#""code":"verifier""#) && $0.json.contains("Dr Release") })

            // The upload goes back with a comment the patient reads; the reading is marked reviewed.
            let uploadLink = try #require(links.first { link in queue.body.contains(##"href="\##(link)">Uploaded file"##) })
            #expect(try await doctor.get(uploadLink).body.contains("Open the file"))
            _ = try await doctor.post(uploadLink, ["decision": "return", "comment": "Please upload page 2 as well."])
            let files = try await patientBrowser.get(Paths.uploads(id))
            #expect(files.body.contains("Returned") && files.body.contains("Please upload page 2 as well."))
            // Changing the returned file sends it back to the queue.
            let upload = try #require(try await env.database.read { try await UploadRepository($0).list(patient: patient.id, visibility: .wholeRecord, limit: 5, offset: 0) }.first)
            _ = try await patientBrowser.get(Paths.upload(id, upload.id))
            _ = try await patientBrowser.post(Paths.upload(id, upload.id), ["do": "save", "title": "Scan from City Lab, both pages", "category": "lab-report"])
            #expect(try await patientBrowser.get(Paths.uploads(id)).body.contains("Submitted"))
            #expect(try await doctor.get(Paths.reviewQueue).body.contains("Scan from City Lab, both pages"))
            _ = try await doctor.get(uploadLink)
            _ = try await doctor.post(uploadLink, ["decision": "accept"])
            let readingLink = try #require(links.first { link in queue.body.contains(##"href="\##(link)">Home reading"##) })
            _ = try await doctor.get(readingLink)
            _ = try await doctor.post(readingLink, ["decision": "mark-reviewed"])
            #expect(try await patientBrowser.get(Paths.readings(id, .oxygen)).body.contains("Reviewed"))
            #expect(Self.queueLinks(try await doctor.get(Paths.reviewQueue)).isEmpty)

            let changes = try await env.database.read {
                try await $0.raw("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'record.review-status-changed'").first()!.decode(column: "n", as: Int64.self)
            }
            #expect(changes == 8)  // three opened, three decided; the re-sent upload opened and accepted
        }
    }

    @Test("Patients rename, re-file and delete their uploads; deleted bytes are erased after the retention period an administrator sets",
          arguments: uploadStores)
    func manageUploads(kind: DatabaseKind, store: CareVaultConfiguration.BlobStoreKind) async throws {
        try await PatientUploadTests.run(kind, store) { browser, env, patient in
            let id = patient.id.description
            let photo = try PatientUploadTests.fixture("derived_r_canon_gps.jpg")
            _ = try await browser.postMultipart(Paths.uploads(id), files: [.init(name: "rash.jpg", type: "image/jpeg", bytes: photo)])
            let upload = try #require(try await env.database.read { try await UploadRepository($0).list(patient: patient.id, visibility: .wholeRecord, limit: 5, offset: 0) }.first)
            let page = try await browser.get(Paths.upload(id, upload.id))
            #expect(page.status == .ok)
            #expect(page.body.contains(##"<img src="\##(Paths.uploadFile(id, upload.id))""##))
            #expect(page.body.contains("Location and camera details (EXIF)"))

            let blank = try await browser.post(Paths.upload(id, upload.id), ["do": "save", "title": "", "category": "photo"])
            #expect(blank.status == .badRequest && blank.body.contains(##"href="#field-title""##))
            let saved = try await browser.post(Paths.upload(id, upload.id), ["do": "save", "title": "Rash on 3 November", "category": "photo"])
            #expect(saved.location == Paths.upload(id, upload.id) + "?notice=upload-saved")
            #expect(try await browser.get(Paths.uploads(id)).body.contains("Rash on 3 November"))
            let document = try #require(try await env.database.read { try await FHIRResourceRepository($0).find(type: "DocumentReference", id: upload.documentID) })
            #expect(document.versionID == 2 && document.json.contains("Rash on 3 November") && document.json.contains(#""code":"photo""#))

            // Another patient cannot see, change or delete it.
            let other = Browser(browser.client)
            _ = try await Flows.signedInPatient(other, env)
            #expect(try await other.get(Paths.upload(id, upload.id)).status == .notFound)
            _ = try await other.get(Paths.security)
            #expect(try await other.post(Paths.upload(id, upload.id), ["do": "delete"]).status == .notFound)

            let deleted = try await browser.post(Paths.upload(id, upload.id), ["do": "delete"])
            #expect(deleted.location == Paths.uploads(id) + "?notice=upload-deleted")
            #expect(!(try await browser.get(Paths.uploads(id)).body.contains("Rash on 3 November")))
            #expect(!(try await browser.get(Paths.recordSection(id, .documents)).body.contains("Rash on 3 November")))
            #expect(try await browser.get(Paths.uploadFile(id, upload.id)).status == .notFound)
            #expect(try await browser.get(Paths.recordItem(id, type: "DocumentReference", id: upload.documentID)).status == .notFound)
            // Kept (encrypted) for the retention period, then erased; the row stays for the audit.
            #expect(try await PatientUploadTests.storedBytes(env).count == 1)
            #expect(try await UploadRetention(env: env).sweep() == 0)
            let admin = try await ReleaseWorkflowTests.staff(browser.client, env, role: .admin)
            #expect(try await admin.get(Paths.uploadRetention).body.contains(##"value="30""##))
            #expect(try await admin.post(Paths.uploadRetention, ["days": "-1"]).status == .badRequest)
            #expect(try await admin.post(Paths.uploadRetention, ["days": "0"]).location == Paths.uploadRetention + "?notice=retention-saved")
            #expect(try await PatientUploadTests.storedBytes(env).isEmpty)
            #expect(try await PatientUploadTests.rowCount(env, "uploads") == 1)
            let erased = try await env.database.read {
                try await $0.raw("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'record.upload-erased'").first()!.decode(column: "n", as: Int64.self)
            }
            #expect(erased == 1)
            let status = try await env.database.read {
                try await $0.raw("SELECT status FROM review_items WHERE resource_id = \(bind: upload.documentID)").first()!.decode(column: "status", as: String.self)
            }
            #expect(status == "withdrawn")
        }
    }
}
