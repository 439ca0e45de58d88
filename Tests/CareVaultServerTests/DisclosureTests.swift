import CareVaultCore
@testable import CareVaultServer
import CareVaultStore
import Foundation
import Testing

/// The accounting of disclosures on both databases: staff record a disclosure (every field checked),
/// the patient reads the last six years as a page, CSV and PDF, and nobody else can.
@Suite("Accounting of disclosures")
struct DisclosureTests {
    @Test("Staff record a disclosure; the patient reads the six-year report as a page, CSV and PDF; strangers and patients cannot record",
          arguments: testDatabases)
    func report(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { client, env in
            let (patient, record) = try await RecordSectionTests.clinicPatient(client, env)
            let id = record.id.description
            let frontDesk = try await ReleaseWorkflowTests.staff(client, env, role: .staff)
            #expect(try await frontDesk.get(Paths.newDisclosure(id)).status == .ok)
            let empty = try await frontDesk.post(Paths.newDisclosure(id), ["date": "2999-01-01"])
            #expect(empty.status == .badRequest)
            for field in ["date", "recipient", "what", "purpose"] { #expect(empty.body.contains(##"href="#field-\##(field)""##), "\(field)") }
            let tooOld = try await frontDesk.post(Paths.newDisclosure(id), ["date": "2001-01-01", "recipient": "A court", "what": "x", "purpose": "y"])
            #expect(tooOld.status == .badRequest && tooOld.body.contains("within the last 6 years"))
            let today = String(ISO8601DateFormatter().string(from: Date().addingTimeInterval(-2 * 86_400)).prefix(10))
            let saved = try await frontDesk.post(Paths.newDisclosure(id), [
                "date": today, "recipient": "County public health office", "what": "Vaccination record", "purpose": "Outbreak investigation (notifiable disease)",
            ])
            #expect(saved.location == Paths.disclosures(id))

            let page = try await patient.get(Paths.disclosures(id))
            #expect(page.status == .ok)
            #expect(page.body.contains("County public health office") && page.body.contains("Outbreak investigation") && page.body.contains("Dr Release"))
            #expect(!page.body.contains(Paths.newDisclosure(id)), "patients do not record disclosures")
            #expect(try await patient.get(Paths.patientHome(id)).body.contains(Paths.disclosures(id)))
            let csv = try await patient.get(Paths.disclosuresCSV(id))
            #expect(csv.headers[.contentType]?.hasPrefix("text/csv") == true)
            #expect(csv.body.hasPrefix("date,recipient,what,purpose,recorded_by\r\n\(today),County public health office,Vaccination record,"))
            let pdf = try await patient.get(Paths.disclosuresPDF(id))
            let text = try RecordDoorTests.text(of: pdf)
            #expect(text.contains("Accounting of disclosures") && text.contains("County public") && text.contains("Vaccination"), "\(text)")

            // A patient cannot record one, nor read anyone else's; each refusal audited.
            #expect(try await patient.get(Paths.newDisclosure(id)).status == .notFound)
            let stranger = Browser(client)
            _ = try await Flows.signedInPatient(stranger, env)
            #expect(try await stranger.get(Paths.disclosures(id)).status == .notFound)
            #expect(try await stranger.get(Paths.disclosuresPDF(id)).status == .notFound)
            let recorded = try await AuditTrail.events(env, action: .disclosureRecorded, patient: record.id)
            #expect(recorded.count == 1 && recorded.first?.actorRole == .staff)
            #expect(try RecordDoorTests.text(of: try await patient.get(Paths.accessHistory(id))).contains("A disclosure of the record was recorded"))
        }
    }
}
