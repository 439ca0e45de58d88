import CareVaultCore
import CareVaultStore
import Foundation

/// The accounting of disclosures: staff record each disclosure outside treatment, payment and
/// operations through the record's door; the patient (and whoever may read the record's access log)
/// reads the last six years as a page, CSV or PDF.
struct DisclosureReport: Sendable {
    /// How far back the report goes.
    static let years = 6
    static let limit = 5_000
    let env: AppEnvironment

    /// The first day the report covers: six years before today on the clinic's calendar.
    func since(_ now: Date = Date()) -> BirthDate {
        let today = BirthDate(now, in: env.configuration.timeZone)
        return BirthDate.sameDay(yearsBefore: Self.years, today)
    }

    func load(_ record: PatientRecord) async throws -> [Disclosure] {
        let since = since()
        return try await record.read { try await $0.disclosures(since: since, limit: Self.limit) }
    }

    /// What staff typed, checked: every field named when it is missing or wrong.
    struct Entry: Sendable {
        var date = ""
        var recipient = ""
        var what = ""
        var purpose = ""
    }

    func record(_ entry: Entry, in record: PatientRecord, by account: Account, info: RequestInfo) async throws {
        var errors: [FieldError] = []
        let today = Date()
        let day = BirthDate(entry.date.trimmingCharacters(in: .whitespaces))
        if day == nil || day!.startOfDay(in: env.configuration.timeZone) > today || day! < since(today) {
            errors.append(FieldError(field: "date", message: "Enter the day it was disclosed as YYYY-MM-DD, within the last \(Self.years) years and not in the future."))
        }
        func text(_ value: String, _ field: String, _ what: String) -> String {
            let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty || trimmed.count > 500 { errors.append(FieldError(field: field, message: "Enter \(what) (at most 500 characters).")) }
            return trimmed
        }
        let recipient = text(entry.recipient, "recipient", "who received it")
        let what = text(entry.what, "what", "what was disclosed")
        let purpose = text(entry.purpose, "purpose", "why it was disclosed")
        guard errors.isEmpty, let day else { throw ValidationFailure(errors) }
        let disclosure = Disclosure(patient: record.patient.id, disclosedOn: day, recipient: recipient, what: what, purpose: purpose,
                                    recordedBy: account.id, recordedAt: today)
        try await record.write { writer in
            try await writer.insert(disclosure: disclosure)
            try await writer.audit([AuditEvent(.disclosureRecorded, info: info, actor: account, patient: writer.patient, resourceType: "Disclosure",
                                               resourceID: disclosure.id, basis: record.basis.description)])
        }
    }

    static func rows(_ disclosures: [Disclosure]) -> [[String]] {
        disclosures.map { [PlainDate.day($0.disclosedOn.description), $0.recipient, $0.what, $0.purpose, $0.recordedByName ?? "Clinic staff"] }
    }

    func csv(_ disclosures: [Disclosure]) -> String {
        var text = "date,recipient,what,purpose,recorded_by\r\n"
        for d in disclosures {
            text += [d.disclosedOn.description, d.recipient, d.what, d.purpose, d.recordedByName ?? ""].map(CSVTable.field).joined(separator: ",") + "\r\n"
        }
        return text
    }

    func pdf(_ disclosures: [Disclosure], patient: Patient) throws -> Data {
        let zone = env.configuration.timeZone
        var document = try RecordPrintouts.document("Accounting of disclosures", patient: patient, printed: Date(), zone: zone)
        document.paragraph("Every disclosure of this record outside treatment, payment and operations since \(PlainDate.day(since().description)).")
        if disclosures.isEmpty {
            document.paragraph("Nothing has been disclosed in this time.")
        } else {
            document.table(columns: [("Date", 1.1), ("To whom", 2), ("What", 2), ("Why", 2), ("Recorded by", 1.3)], rows: Self.rows(disclosures))
        }
        return document.pdf()
    }
}
