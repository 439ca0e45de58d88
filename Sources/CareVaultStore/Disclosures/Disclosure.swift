import CareVaultCore
import Foundation
import SQLKit

/// One disclosure of a patient's information outside treatment, payment and operations, as staff
/// recorded it.
public struct Disclosure: Sendable, Equatable {
    public let id: String
    public let patient: PatientID
    /// The day it was disclosed (`YYYY-MM-DD`).
    public let disclosedOn: BirthDate
    public let recipient: String
    public let what: String
    public let purpose: String
    public let recordedBy: AccountID?
    /// The staff member's name, when read back.
    public let recordedByName: String?
    public let recordedAt: Date

    public init(id: String = UUID().uuidString.lowercased(), patient: PatientID, disclosedOn: BirthDate, recipient: String, what: String,
                purpose: String, recordedBy: AccountID?, recordedByName: String? = nil, recordedAt: Date) {
        self.id = id
        self.patient = patient
        self.disclosedOn = disclosedOn
        self.recipient = recipient
        self.what = what
        self.purpose = purpose
        self.recordedBy = recordedBy
        self.recordedByName = recordedByName
        self.recordedAt = recordedAt
    }
}

/// The `disclosures` table, reached through a record's reader and writer (bound to one patient).
struct DisclosureRepository: Sendable {
    let sql: any SQLDatabase

    func insert(_ d: Disclosure) async throws {
        try await sql.raw("""
            INSERT INTO disclosures (id, patient_id, disclosed_on, recipient, what, purpose, recorded_by, recorded_at)
            VALUES (\(bind: d.id), \(bind: d.patient.description), \(bind: d.disclosedOn.description), \(bind: d.recipient), \(bind: d.what),
                \(bind: d.purpose), \(bind: d.recordedBy?.description), \(bind: d.recordedAt.ms))
            """).run()
    }

    /// One patient's disclosures on or after `since`, newest first.
    func list(patient: PatientID, since: BirthDate, limit: Int) async throws -> [Disclosure] {
        try await sql.raw("""
            SELECT d.*, a.display_name FROM disclosures d LEFT JOIN accounts a ON a.id = d.recorded_by
            WHERE d.patient_id = \(bind: patient.description) AND d.disclosed_on >= \(bind: since.description)
            ORDER BY d.disclosed_on DESC, d.recorded_at DESC LIMIT \(bind: limit)
            """).all().map { row in
            guard let day = BirthDate(try row.string("disclosed_on")) else { throw DatabaseError.unexpectedResult("bad disclosure date") }
            return Disclosure(id: try row.string("id"), patient: try row.id("patient_id"), disclosedOn: day, recipient: try row.string("recipient"),
                              what: try row.string("what"), purpose: try row.string("purpose"), recordedBy: try row.optionalID("recorded_by"),
                              recordedByName: try row.optionalString("display_name"), recordedAt: try row.date("recorded_at"))
        }
    }
}
