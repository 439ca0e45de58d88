import CareVaultCore
@testable import CareVaultServer
import CareVaultStore
import Foundation
import HummingbirdTesting
import SQLKit
import Testing

/// Images in shares over HTTP on both databases: a photo and a scan leave only with consent (the
/// patient's own confirmation, recorded; a proxy needs a recorded consent), scans that may carry
/// burned-in text only after the sender looked, and de-identified; a withdrawn consent stops them.
@Suite("Images in shares")
struct ShareImageTests {
    @Test("A photo and a scan are shared with the patient's consent, leave de-identified, and stop when the consent is withdrawn",
          arguments: testDatabases)
    func imagesWithConsent(kind: DatabaseKind) async throws {
        try await PatientUploadTests.run(kind, .files) { patient, env, record in
            let id = record.id.description
            let scan = try PatientUploadTests.fixture("CT_small.dcm")
            let sent = try await patient.postMultipart(Paths.uploads(id), files: [
                .init(name: "rash.jpg", bytes: try PatientUploadTests.fixture("derived_r_canon_gps.jpg")),
                .init(name: "ct.dcm", bytes: scan),
            ])
            #expect(sent.status == .seeOther || sent.status == .ok, "\(sent.body)")
            let uploads = try await env.database.read { try await UploadRepository($0).list(patient: record.id, visibility: .wholeRecord, limit: 10, offset: 0) }
            let ct = try #require(uploads.first { $0.kind == .dicom }), photo = try #require(uploads.first { $0.kind == .jpeg })
            let items = [("item", "DocumentReference/\(ct.documentID)"), ("item", "DocumentReference/\(photo.documentID)")]

            _ = try await patient.get(Paths.newShare(id))
            let preview = try await patient.post(Paths.sharePreview(id), pairs: items + [("label", "For Dr Skin"), ("days", "7"), ("options", "download")])
            #expect(preview.status == .ok)
            #expect(preview.body.contains("Photos and scans in this share") && preview.body.contains("I agree that these images leave the clinic"))
            #expect(preview.body.contains("Check the scans for writing") && preview.body.contains("Keep the real dates on the scans"))
            let hidden = preview.body.matches(of: /name="item" value="([^"]+)"/).map { ("item", String($0.output.1)) }
                + [("label", "For Dr Skin"), ("days", "7"), ("download", "yes")]

            // Without the agreement and the look at the scan, nothing is created and both fields are named.
            let refused = try await patient.post(Paths.shares(id), pairs: hidden)
            #expect(refused.status == .badRequest && refused.body.contains("href=\"#field-imageConsent\"") && refused.body.contains("href=\"#field-burnedIn\""))
            #expect(try await PatientUploadTests.rowCount(env, "share_links") == 0)
            let created = try await patient.post(Paths.shares(id), pairs: hidden + [("imageConsent", "yes"), ("burnedIn", "yes")])
            #expect(created.status == .ok, "\(created.body)")
            let link = try #require(Browser.firstMatch(#"https?://[^<\s]+(/s/[A-Za-z0-9_-]+)"#, in: created.body))
            let code = try #require(Browser.firstMatch(#"<code class="secret">([0-9A-Z]{4}-[0-9A-Z]{4})</code>"#, in: created.body))
            // The patient's confirmation is recorded as their consent, for consultation outside the clinic.
            let consents = try await patient.get(Paths.imageConsents(id))
            #expect(consents.body.contains("while sharing") && consents.body.contains("Sending to a doctor outside the clinic for advice"))

            // The patient's agreement covers that share only: a proxy cannot send the images out on the strength of it.
            let (carer, _) = try await ProxyAccessTests.acceptedCarer(patient.client, env, patient: patient, record: record, scopes: [.seeRecord, .download])
            _ = try await carer.get(Paths.newShare(id))
            let riding = try await carer.post(Paths.shares(id), pairs: [("item", "DocumentReference/\(ct.documentID)"), ("label", "From the carer"),
                                                                        ("days", "7"), ("download", "yes"), ("imageConsent", "yes"), ("burnedIn", "yes")])
            #expect(riding.status == .badRequest && riding.body.contains("Only the patient can agree to that"))

            // The doctor downloads the scan de-identified and the photo without its metadata.
            let doctor = Browser(patient.client)
            _ = try await doctor.get(link)
            #expect(try await doctor.post(link, ["code": code]).location == Paths.sharedRecord)
            let scanFile = try await doctor.get(Paths.sharedFile(type: "DocumentReference", id: ct.documentID, index: 0))
            #expect(scanFile.status == .ok && scanFile.headers[.contentType] == "application/dicom")
            let before = try DICOMHeader.read(scan), after = try DICOMHeader.read(scanFile.bytes)
            #expect(after.identifying.allSatisfy { ["Study date", "Series date", "Acquisition date", "Content date"].contains($0.name) }, "\(after.identifying)")
            #expect(after.identifying.first { $0.name == "Study date" }?.value != before.identifying.first { $0.name == "Study date" }?.value)
            #expect(after.rows == before.rows && after.modality == before.modality)
            let scanPage = try await doctor.get(Paths.sharedItem(type: "DocumentReference", id: ct.documentID))
            #expect(scanPage.body.contains("Scan: CT, 128 × 128, 1 frame"), "\(scanPage.body)")
            let photoPage = try await doctor.get(Paths.sharedItem(type: "DocumentReference", id: photo.documentID))
            #expect(photoPage.body.contains(Paths.sharedPreview(type: "DocumentReference", id: photo.documentID)))
            let previewImage = try await doctor.get(Paths.sharedPreview(type: "DocumentReference", id: photo.documentID))
            #expect(previewImage.status == .ok && previewImage.headers[.contentType]?.hasPrefix("image/") == true && !previewImage.body.contains("Jane Doe"))
            let photoFile = try await doctor.get(Paths.sharedFile(type: "DocumentReference", id: photo.documentID, index: 0))
            #expect(photoFile.status == .ok && !photoFile.body.contains("Jane Doe") && !photoFile.body.contains("GPS"))
            let bundle = try await doctor.get(Paths.sharedFHIR)
            #expect(bundle.status == .ok && !bundle.body.contains(#""contentType":"application/dicom","data""#))

            // The patient withdraws the consent: the next download of the image is refused.
            let consent = try #require(Browser.firstMatch(#"action="(/patients/[^"]+/image-consents/[^"]+/withdraw)""#, in: consents.body))
            #expect(try await patient.post(consent, [:]).location == Paths.imageConsents(id) + "?notice=consent-withdrawn")
            let withheld = try await doctor.get(Paths.sharedFile(type: "DocumentReference", id: ct.documentID, index: 0))
            #expect(withheld.status == .forbidden && withheld.body.contains("no longer agrees") && withheld.bytes.count < 100_000)
            #expect(!withheld.body.contains("DICM"))
            #expect(try await patient.get(Paths.imageConsents(id)).body.contains("Withdrawn"))

            // A proxy who may download cannot send the scan out without a consent in force …
            _ = try await carer.get(Paths.newShare(id))
            let proxyShare = try await carer.post(Paths.shares(id), pairs: [("item", "DocumentReference/\(ct.documentID)"), ("label", "From the carer"),
                                                                            ("days", "7"), ("imageConsent", "yes"), ("burnedIn", "yes")])
            #expect(proxyShare.status == .badRequest && proxyShare.body.contains("Only the patient can agree to that"))
            #expect(try await PatientUploadTests.rowCount(env, "share_links") == 1)

            // … until a clinician records the patient's signed consent for consultation.
            let clinician = try await ReleaseWorkflowTests.staff(patient.client, env, role: .clinician)
            let form = try await clinician.get(Paths.newImageConsent(id))
            #expect(form.status == .ok && form.body.contains(ImageConsent.statement) && form.body.contains(Paths.uploadPreview(id, photo.id)))
            let bad = try await clinician.post(Paths.newImageConsent(id), pairs: [("signedOn", "2999-01-01")])
            for field in ["images", "purposes", "signedName", "signedOn"] { #expect(bad.body.contains("href=\"#field-\(field)\""), "\(field)") }
            let recorded = try await clinician.post(Paths.newImageConsent(id), pairs: [
                ("images", "DocumentReference/\(ct.documentID)"), ("purposes", "consultation"), ("purposes", "teaching"),
                ("signedName", record.fullName), ("signedOn", BirthDate(Date(), in: env.configuration.timeZone).description), ("inClinic", "yes"),
            ])
            #expect(recorded.status == .seeOther, "\(recorded.body)")
            _ = try await carer.get(Paths.newShare(id))
            let allowed = try await carer.post(Paths.shares(id), pairs: [("item", "DocumentReference/\(ct.documentID)"), ("label", "From the carer"),
                                                                         ("days", "7"), ("burnedIn", "yes")])
            #expect(allowed.status == .ok && allowed.body.contains("Your share is ready"), "\(allowed.body)")
            // The patient reads the clinician's consent and gets a PDF copy.
            let list = try await patient.get(Paths.imageConsents(id))
            #expect(list.body.contains("Teaching doctors, nurses and students"))
            let copy = try #require(Browser.firstMatch(#"href="(/patients/[^"]+/copy\.pdf)""#, in: list.body))
            let pdf = try await patient.get(copy)
            #expect(pdf.status == .ok && pdf.bytes.starts(with: Array("%PDF".utf8)))
            // Staff (front desk) cannot record consents; another patient cannot read or withdraw them.
            let desk = try await ReleaseWorkflowTests.staff(patient.client, env, role: .staff)
            #expect(try await desk.get(Paths.newImageConsent(id)).status == .notFound)
            let stranger = Browser(patient.client)
            _ = try await Flows.signedInPatient(stranger, env)
            #expect(try await stranger.get(Paths.imageConsents(id)).status == .notFound)
            #expect(try await stranger.post(consent, [:]).status != .seeOther)
        }
    }

    @Test("An image declared as something else is known by its bytes: its data stays out of a share's FHIR Bundle, whatever the case of its type")
    func imagesKnownByTheirBytes() throws {
        let jpeg = try PatientUploadTests.fixture("derived_r_canon_gps.jpg")
        let data = Data(jpeg).base64EncodedString()
        func resource(_ type: String, _ json: String) -> StoredResource {
            StoredResource(resourceType: type, id: "x", patient: PatientID(), matchKey: "k", versionID: 1, lastUpdated: Date(), source: "test", json: json)
        }
        let hidden = resource("DocumentReference", #"{"resourceType":"DocumentReference","content":[{"attachment":{"contentType":"application/octet-stream","data":"\#(data)"}}]}"#)
        #expect(SharedImages.withoutImageData(hidden)?.json.contains(String(data.prefix(40))) == false)
        let shouting = resource("DocumentReference", #"{"resourceType":"DocumentReference","content":[{"attachment":{"contentType":"IMAGE/JPEG","data":"\#(data)"}}]}"#)
        #expect(SharedImages.withoutImageData(shouting)?.json.contains(String(data.prefix(40))) == false)
        #expect(SharedImages.withoutImageData(resource("Binary", #"{"resourceType":"Binary","contentType":"text/plain","data":"\#(data)"}"#)) == nil)
        let text = resource("Binary", #"{"resourceType":"Binary","contentType":"text/plain","data":"aGVsbG8="}"#)
        #expect(SharedImages.withoutImageData(text)?.json == text.json)
        #expect(SharedImages.sniffedImage(jpeg) && !SharedImages.sniffedScan(jpeg))
        #expect(SharedImages.sniffedScan(try PatientUploadTests.fixture("CT_small.dcm")))
    }
}
