import CareVaultCore
import Foundation
import SQLKit

/// Who someone in a patient's access history is: their name, and for the care team the organization.
public struct AccessHistoryPerson: Sendable, Equatable {
    public let account: AccountID
    public let displayName: String
    public let organizationName: String?

    public init(account: AccountID, displayName: String, organizationName: String?) {
        self.account = account
        self.displayName = displayName
        self.organizationName = organizationName
    }
}

/// Reads a patient's access history from the audit log (``PatientRecordReader/accessHistory``).
struct AccessHistoryQueries: Sendable {
    let sql: any SQLDatabase

    /// Events about one patient's record among `actions`, newest first: within `from`–`to`
    /// (milliseconds, either open), and by `actor` when given. Read by the patient's index
    /// (`patient_id, seq`).
    func entries(forPatient patient: PatientID, actions: [AuditAction], from: Int64? = nil, to: Int64? = nil,
                        actor: AccountID? = nil, limit: Int, offset: Int = 0) async throws -> [AuditEntry] {
        var conditions: [SQLQueryString] = ["patient_id = \(bind: patient.description)", "action IN (\(SQLList(actions.map { SQLBind($0.rawValue) })))"]
        if let from { conditions.append("occurred_at >= \(bind: from)") }
        if let to { conditions.append("occurred_at <= \(bind: to)") }
        if let actor { conditions.append("actor_account = \(bind: actor.description)") }
        return try await sql.raw("SELECT * FROM audit_log WHERE " + conditions.joined(separator: " AND ")
                                 + " ORDER BY seq DESC LIMIT \(bind: limit) OFFSET \(bind: offset)").all().map(AuditLogRepository.entry)
    }

    /// Everyone who appears by account in those events (for choosing one), with their names. Whoever
    /// was refused is not among them: the history says only "someone without access", never who.
    func people(forPatient patient: PatientID, actions: [AuditAction]) async throws -> [AccessHistoryPerson] {
        try await sql.raw("""
            SELECT a.id, a.display_name, o.name AS organization_name FROM accounts a
            LEFT JOIN organizations o ON o.id = a.organization_id
            WHERE a.id IN (SELECT DISTINCT actor_account FROM audit_log WHERE patient_id = \(bind: patient.description)
                AND action IN (\(SQLList(actions.map { SQLBind($0.rawValue) }))) AND actor_account IS NOT NULL
                AND outcome <> 'denied')
            ORDER BY a.display_name, a.id
            """).all().map { row in
            AccessHistoryPerson(account: try row.id("id"), displayName: try row.string("display_name"),
                                organizationName: try row.optionalString("organization_name"))
        }
    }
}
