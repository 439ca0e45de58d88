import CareVaultCore
import CareVaultStore
import Foundation

/// The generated PDFs of the record: a lab report, a visit summary and "my health summary".
/// Built from the same models the pages show, so a printout says what the screen says.
enum RecordPrintouts {
    struct FontMissing: Error {}

    static func document(_ title: String, patient: Patient, printed: Date, zone: TimeZone) throws -> PrintableDocument {
        guard var document = PrintableDocument(title: title, patientName: patient.fullName, printed: printed, timeZone: zone) else { throw FontMissing() }
        document.heading(title, size: 16)
        document.facts([("Patient", patient.fullName), ("Date of birth", PlainDate.day(patient.birthDate.description)), ("Patient ID", patient.mrn)])
        return document
    }

    static func labRows(_ results: [LabResult]) -> [[String]] {
        results.map { r in
            [r.effective.map(PlainDate.day) ?? "", r.name, FHIRText.readableNumber(r.value), UnitWords.readable(r.unit), r.range, r.flag.rawValue]
        }
    }

    static let labColumns: [(String, Double)] = [("Date", 1.1), ("Test", 3), ("Result", 1.2), ("Unit", 1), ("Normal range", 1.3), ("Flag", 0.9)]

    /// Lab results as a report (the same filtered list as the page and the CSV).
    static func labReport(patient: Patient, results: [LabResult], filters: String, printed: Date, zone: TimeZone) throws -> Data {
        var document = try document("Lab results", patient: patient, printed: printed, zone: zone)
        if !filters.isEmpty { document.paragraph("Showing: \(filters)") }
        if results.isEmpty {
            document.paragraph("No test results match.")
        } else {
            document.paragraph("Newest first. The normal range is what is expected for most people; the flag says when a result is outside it.")
            document.table(columns: labColumns, rows: labRows(results))
        }
        return document.pdf()
    }

    /// One visit: what, when, where, why; its papers, tests and everything else recorded in it.
    static func visitSummary(patient: Patient, visit: Visit, results: [LabResult], entries: [RecordEntry], printed: Date, zone: TimeZone) throws -> Data {
        var document = try document("Visit summary", patient: patient, printed: printed, zone: zone)
        document.heading(visit.kind, size: 13)
        document.facts([("Date", visit.start.map(PlainDate.day) ?? "Not recorded"), ("Ended", visit.end.map(PlainDate.day) ?? "Not recorded"),
                        ("Reason", visit.reason ?? "Not recorded"), ("Where", visit.place ?? "Not recorded")])
        if !results.isEmpty {
            document.heading("Tests and measurements", size: 12)
            document.table(columns: labColumns, rows: labRows(results))
        }
        if !entries.isEmpty {
            document.heading("Everything else recorded at this visit", size: 12)
            document.table(columns: [("Kind", 1.3), ("What", 2.5), ("Details", 3)], rows: entries.map { e in
                [RecordItem(resourceType: e.resourceType, id: e.id, json: .object([])).kind, e.name,
                 e.details.map { "\($0.label): \($0.value)" }.joined(separator: "; ")]
            })
        }
        return document.pdf()
    }

    /// "My health summary": problems, medicines, allergies, vaccinations and recent results.
    static func healthSummary(patient: Patient, problems: [RecordEntry], medications: [RecordEntry], allergies: [RecordEntry],
                              immunizations: [RecordEntry], results: [LabResult], printed: Date, zone: TimeZone) throws -> Data {
        var document = try document("My health summary", patient: patient, printed: printed, zone: zone)
        func section(_ title: String, _ entries: [RecordEntry], empty: String, columns: [(String, Double)], row: (RecordEntry) -> [String]) {
            document.heading(title, size: 12)
            if entries.isEmpty { document.paragraph(empty) } else { document.table(columns: columns, rows: entries.map(row)) }
        }
        func detail(_ e: RecordEntry) -> String { e.details.map { "\($0.label): \($0.value)" }.joined(separator: "; ") }
        section("Current problems and diagnoses", problems, empty: "None recorded.", columns: [("Problem", 3), ("Since", 1.2), ("Status", 1)]) {
            [$0.name, $0.date.map(PlainDate.day) ?? "", $0.status ?? ""]
        }
        section("Medicines you take now", medications, empty: "None recorded.", columns: [("Medicine", 3), ("How to take it", 3), ("Since", 1.2)]) {
            [$0.name, $0.details.first { $0.label == "How to take it" }?.value ?? "", $0.date.map(PlainDate.day) ?? ""]
        }
        section("Allergies", allergies, empty: "None recorded.", columns: [("Allergy", 2.5), ("Details", 4)]) { [$0.name, detail($0)] }
        section("Vaccinations", immunizations, empty: "None recorded.", columns: [("Vaccine", 4), ("Date", 1.2)]) {
            [$0.name, $0.date.map(PlainDate.day) ?? ""]
        }
        document.heading("Recent test results", size: 12)
        if results.isEmpty { document.paragraph("None recorded.") } else { document.table(columns: labColumns, rows: labRows(results)) }
        return document.pdf()
    }
}
