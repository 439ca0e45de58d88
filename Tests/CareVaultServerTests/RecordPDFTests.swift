import CareVaultCore
@testable import CareVaultServer
import CareVaultStore
import Foundation
import HummingbirdTesting
import SQLKit
import Testing

@Suite("Generated PDFs")
struct RecordPDFTests {
    /// Saves a download and returns what pdftotext and pdfinfo read from it.
    static func read(_ page: Browser.Page) throws -> (text: String, info: String) {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("pdf-\(UUID().uuidString).pdf")
        try Data(page.bytes).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        if let keep = ProcessInfo.processInfo.environment["KEEP_PDFS"] {
            try? Data(page.bytes).write(to: URL(fileURLWithPath: keep).appendingPathComponent(file.lastPathComponent))
        }
        let text = try Command.run("/usr/bin/pdftotext", ["-layout", file.path, "-"])
        let info = try Command.run("/usr/bin/pdfinfo", [file.path])
        #expect(text.status == 0 && info.status == 0)
        return (text.output, info.output)
    }

    @Test("Lab report, visit summary and health summary are real PDFs with the record's words, headers and page numbers",
          arguments: testDatabases)
    func printouts(kind: DatabaseKind) async throws {
        // UTC+14: for most of the day its date is not UTC's, so the printed date shows whose zone it is in.
        let zone = try #require(TimeZone(identifier: "Pacific/Kiritimati"))
        try await TestApp.run(kind, configure: { $0.timeZone = zone }) { client, env in
            _ = try await RecordImportService(env: env).importBundle(try RecordImportTests.synthea, source: "buster.json", by: nil, info: .commandLine)
            let (browser, patient) = try await RecordSectionTests.clinicPatient(client, env)
            let id = patient.id.description

            let before = PlainDate.day(Date(), in: zone)
            let health = try await browser.get(Paths.healthSummaryPDF(id))
            let after = PlainDate.day(Date(), in: zone)
            #expect(health.status == .ok && health.headers[.contentType] == "application/pdf")
            #expect(health.headers[.contentDisposition] == #"attachment; filename="health-summary.pdf""#)
            let summary = try Self.read(health)
            for words in ["My health summary", "Зоя Дмитриева", "Page 1 of 1", "Pneumonia", "Amoxicillin 250 MG Oral Capsule",
                          "1 capsule 3 times a day for 7 days", "Allergy to penicillin", "Hives", "February 29, 1980"] {
                #expect(summary.text.contains(words), "health summary lacks \(words)")
            }
            #expect(!summary.text.contains("Old inhaler"))  // not a current medicine
            #expect(summary.text.contains("Printed \(before)") || summary.text.contains("Printed \(after)"), "printed in the clinic's zone")
            #expect(summary.info.contains("Printed") == false && summary.info.contains(/Title:\s+My health summary – Зоя Дмитриева/))

            // The visit summary, from the visit page's link.
            let visits = try await browser.get(Paths.visits(id))
            let visit = try #require(RecordSectionTests.links(visits.body, under: Paths.visits(id) + "/").first)
            let visitPage = try await browser.get(visit)
            let pdfLink = try #require(RecordSectionTests.links(visitPage.body, under: visit + "/summary.pdf").first)
            let visitPDF = try Self.read(try await browser.get(pdfLink))
            for words in ["Visit summary", "Hospital stay for pneumonia", "March 5, 2024", "Blood pressure", "Chest X-ray",
                          "Patchy consolidation", "Discharge summary", "Page 1 of 1"] {
                #expect(visitPDF.text.contains(words), "visit summary lacks \(words)")
            }

            // The lab report follows the page's filters; Buster's record (another patient) never appears in Зоя's.
            let buster = try await FHIREverythingTests.importedPatient(client, env)
            let busterID = buster.1.id.description
            let all = try Self.read(try await buster.0.get(Paths.labResultsPDF(busterID)))
            #expect(all.text.contains("Lab results") && all.text.contains("Buster"))
            let filtered = try Self.read(try await buster.0.get(Paths.labResultsPDF(busterID) + "?q=cholesterol"))
            #expect(filtered.text.contains("Total cholesterol") && filtered.text.contains("(\u{201C}bad\u{201D}) cholesterol")
                    && !filtered.text.contains("Hematocrit"))
            #expect(filtered.text.contains("matching “cholesterol”"))
            #expect(try await browser.get(Paths.labResultsPDF(busterID)).status == .notFound)
            #expect(try await browser.get(Paths.healthSummaryPDF(busterID)).status == .notFound)
            #expect(try await buster.0.get(pdfLink).status == .notFound)
            #expect(try await buster.0.get(Paths.labResultsPDF(busterID) + "?from=never").status == .badRequest)

            let downloads = try await AuditTrail.shown(env, action: .recordDownloaded, patient: PatientID(id))
            #expect(downloads.count > 5)
        }
    }
}
