import CareVaultCore
import Foundation
import SQLKit

/// A stored audit row: the event plus its place in the chain.
public struct AuditEntry: Sendable, Equatable {
    public var sequence: Int64
    public var event: AuditEvent
    public var previousHash: String
    public var hash: String
}

/// The outcome of checking the chain.
public enum AuditVerification: Sendable, Equatable {
    /// Every row hashes correctly and the head matches the last row.
    case intact(rows: Int64)
    /// The first row found wrong, and why.
    case broken(sequence: Int64, reason: String)
}

/// Appends to and reads the hash-chained `audit_log`. Appending must happen inside a write
/// transaction: the head row serializes writers.
public struct AuditLogRepository: Sendable {
    private let sql: any SQLDatabase
    private let kind: DatabaseKind

    public init(_ sql: any SQLDatabase, kind: DatabaseKind) {
        self.sql = sql
        self.kind = kind
    }

    /// Appends one event after the current head; returns its sequence number.
    @discardableResult
    public func append(_ event: AuditEvent) async throws -> Int64 {
        try await append(contentsOf: [event])
    }

    /// Appends events in order after the current head, with one head lock, one multi-row insert and
    /// one head update; returns the last sequence number.
    @discardableResult
    public func append(contentsOf events: [AuditEvent]) async throws -> Int64 {
        let lock = kind == .postgresql ? " FOR UPDATE" : ""
        guard let head = try await sql.raw("SELECT seq, hash FROM audit_head WHERE id = 1\(unsafeRaw: lock)").first() else {
            throw DatabaseError.unexpectedResult("audit head missing")
        }
        var previous = try head.string("hash")
        var sequence = try head.decode(column: "seq", as: Int64.self)
        guard !events.isEmpty else { return sequence }
        var rows: [any SQLExpression] = []
        for event in events {
            sequence += 1
            let hash = AuditChain.hash(previousHash: previous, sequence: sequence, event: event)
            let values: [any Encodable & Sendable] = [
                sequence, event.occurredAtMilliseconds, event.actorAccount?.description, event.actorRole?.rawValue,
                event.patient?.description, event.action.rawValue, event.resourceType, event.resourceID, event.basis,
                event.outcome.rawValue, event.clientIP, event.userAgent, event.subjectAccount?.description, previous, hash,
                event.entities.isEmpty ? nil : event.entities.joined(separator: "\n"),
            ]
            rows.append(SQLGroupExpression(SQLList(values.map { SQLBind($0) })))
            previous = hash
        }
        // PostgreSQL allows 65,535 bound values per statement; a row has 16.
        for start in stride(from: 0, to: rows.count, by: 1000) {
            try await sql.raw("""
                INSERT INTO audit_log (seq, occurred_at, actor_account, actor_role, patient_id, action, resource_type, resource_id,
                    basis, outcome, client_ip, user_agent, subject_account, prev_hash, hash, entities)
                VALUES \(SQLList(Array(rows[start..<min(start + 1000, rows.count)])))
                """).run()
        }
        try await sql.raw("UPDATE audit_head SET seq = \(bind: sequence), hash = \(bind: previous) WHERE id = 1").run()
        return sequence
    }

    /// Events about an account (as actor or as subject), newest first.
    public func entries(forAccount account: AccountID, actions: [AuditAction], limit: Int) async throws -> [AuditEntry] {
        let id = account.description
        let list = SQLList(actions.map { SQLBind($0.rawValue) })
        return try await sql.raw("""
            SELECT * FROM audit_log WHERE (actor_account = \(bind: id) OR subject_account = \(bind: id))
            AND action IN (\(list)) ORDER BY seq DESC LIMIT \(bind: limit)
            """).all().map(Self.entry)
    }

    /// The most recent rows, newest first.
    public func latest(limit: Int) async throws -> [AuditEntry] {
        try await sql.raw("SELECT * FROM audit_log ORDER BY seq DESC LIMIT \(bind: limit)").all().map(Self.entry)
    }

    /// Recomputes the whole chain in pages and compares it with the head.
    public func verify(pageSize: Int = 2000) async throws -> AuditVerification {
        var expectedPrevious = AuditChain.genesisHash
        var expectedSequence: Int64 = 1
        while true {
            let rows = try await sql.raw("""
                SELECT * FROM audit_log WHERE seq >= \(bind: expectedSequence) ORDER BY seq LIMIT \(bind: pageSize)
                """).all()
            if rows.isEmpty { break }
            for row in rows {
                let entry: AuditEntry
                do {
                    entry = try Self.entry(row)
                } catch {
                    return .broken(sequence: expectedSequence, reason: "row cannot be read")
                }
                if entry.sequence != expectedSequence {
                    return .broken(sequence: expectedSequence, reason: "row \(expectedSequence) is missing")
                }
                if entry.previousHash != expectedPrevious {
                    return .broken(sequence: entry.sequence, reason: "previous-hash link does not match row \(entry.sequence - 1)")
                }
                if AuditChain.hash(previousHash: entry.previousHash, sequence: entry.sequence, event: entry.event) != entry.hash {
                    return .broken(sequence: entry.sequence, reason: "row content does not match its hash")
                }
                expectedPrevious = entry.hash
                expectedSequence += 1
            }
        }
        let last = expectedSequence - 1
        guard let head = try await sql.raw("SELECT seq, hash FROM audit_head WHERE id = 1").first() else {
            return .broken(sequence: last, reason: "chain head is missing")
        }
        let headSequence = try head.decode(column: "seq", as: Int64.self)
        let headHash = try head.string("hash")
        if headSequence != last || headHash != expectedPrevious {
            return .broken(sequence: min(headSequence, last) + 1, reason: "rows after \(last) were removed (head is at \(headSequence))")
        }
        return .intact(rows: last)
    }

    static func entry(_ row: any SQLRow) throws -> AuditEntry {
        guard let action = AuditAction(rawValue: try row.string("action")),
              let outcome = AuditOutcome(rawValue: try row.string("outcome"))
        else { throw DatabaseError.unexpectedResult("unknown audit action or outcome") }
        let event = AuditEvent(
            occurredAt: try row.date("occurred_at"), actorAccount: try row.optionalID("actor_account"),
            actorRole: try row.optionalString("actor_role").flatMap(Role.init(rawValue:)),
            patient: try row.optionalID("patient_id"), action: action,
            resourceType: try row.optionalString("resource_type"), resourceID: try row.optionalString("resource_id"),
            basis: try row.optionalString("basis"), outcome: outcome, clientIP: try row.optionalString("client_ip"),
            userAgent: try row.optionalString("user_agent"), subjectAccount: try row.optionalID("subject_account"),
            // Split exactly as joined (empty parts kept), so the row hashes as it was written.
            entities: try row.optionalString("entities").map { $0.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) } ?? []
        )
        return AuditEntry(sequence: try row.decode(column: "seq", as: Int64.self), event: event,
                          previousHash: try row.string("prev_hash"), hash: try row.string("hash"))
    }
}
