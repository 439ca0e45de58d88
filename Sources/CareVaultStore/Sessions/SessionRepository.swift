import CareVaultCore
import Foundation
import SQLKit

/// Reads and writes `sessions`.
public struct SessionRepository: Sendable {
    private let sql: any SQLDatabase

    public init(_ sql: any SQLDatabase) { self.sql = sql }

    public func insert(_ s: SessionRecord) async throws {
        try await sql.raw("""
            INSERT INTO sessions (id_hash, handle, account_id, stage, created_at, last_seen_at, expires_at, client_ip, user_agent)
            VALUES (\(bind: s.idHash), \(bind: s.handle), \(bind: s.account.description), \(bind: s.stage.rawValue),
                \(bind: s.createdAt.ms), \(bind: s.lastSeenAt.ms), \(bind: s.expiresAt.ms), \(bind: s.clientIP), \(bind: s.userAgent))
            """).run()
    }

    /// A session and its account in one statement: every signed-in request needs both, and each
    /// statement is a round trip (PostgreSQL) or a hop to SQLite's thread.
    /// The session, its account, and whether the account holds proxy grants (so the caller reads them
    /// only for the few who do, in the same statement for everyone else).
    public func findWithAccount(idHash: String) async throws -> (SessionRecord, Account, holdsProxyGrants: Bool)? {
        try await sql.raw("""
            SELECT a.*, s.id_hash, s.handle, s.account_id, s.stage, s.created_at AS session_created_at, s.last_seen_at,
                s.expires_at, s.client_ip, s.user_agent, s.revoked_at,
                CASE WHEN a.role = 'patient' AND EXISTS (SELECT 1 FROM proxy_grants g WHERE g.proxy_account_id = a.id
                    AND g.accepted_at IS NOT NULL AND g.revoked_at IS NULL) THEN 1 ELSE 0 END AS holds_proxy_grants
            FROM sessions s JOIN accounts a ON a.id = s.account_id WHERE s.id_hash = \(bind: idHash)
            """).first().map {
            (try Self.session($0, createdAtColumn: "session_created_at"), try AccountRepository.account($0), try $0.int("holds_proxy_grants") != 0)
        }
    }

    public func touch(idHash: String, at now: Date) async throws {
        try await sql.raw("UPDATE sessions SET last_seen_at = \(bind: now.ms) WHERE id_hash = \(bind: idHash)").run()
    }

    /// Sessions of an account that are neither revoked nor past their absolute end, newest first.
    public func listActive(account: AccountID, at now: Date) async throws -> [SessionRecord] {
        try await sql.raw("""
            SELECT * FROM sessions WHERE account_id = \(bind: account.description) AND revoked_at IS NULL
            AND expires_at > \(bind: now.ms) ORDER BY last_seen_at DESC
            """).all().map { try Self.session($0) }
    }

    public func revoke(idHash: String, at now: Date) async throws {
        try await sql.raw("UPDATE sessions SET revoked_at = \(bind: now.ms) WHERE id_hash = \(bind: idHash) AND revoked_at IS NULL").run()
    }

    /// Revokes one of an account's sessions by its handle; false if no such active session.
    public func revoke(handle: String, account: AccountID, at now: Date) async throws -> Bool {
        try await sql.raw("""
            UPDATE sessions SET revoked_at = \(bind: now.ms)
            WHERE handle = \(bind: handle) AND account_id = \(bind: account.description) AND revoked_at IS NULL
            RETURNING handle
            """).first() != nil
    }

    /// Revokes every session of an account, optionally keeping one.
    public func revokeAll(account: AccountID, except keptIDHash: String? = nil, at now: Date) async throws {
        try await sql.raw("""
            UPDATE sessions SET revoked_at = \(bind: now.ms)
            WHERE account_id = \(bind: account.description) AND revoked_at IS NULL AND id_hash <> \(bind: keptIDHash ?? "")
            """).run()
    }

    /// Deletes sessions that ended more than a day ago.
    public func purge(before cutoff: Date) async throws {
        try await sql.raw("""
            DELETE FROM sessions WHERE expires_at < \(bind: cutoff.ms) OR revoked_at < \(bind: cutoff.ms)
            """).run()
    }

    static func session(_ row: any SQLRow, createdAtColumn: String = "created_at") throws -> SessionRecord {
        guard let stage = SessionRecord.Stage(rawValue: try row.string("stage")) else {
            throw DatabaseError.unexpectedResult("unknown session stage")
        }
        return SessionRecord(
            idHash: try row.string("id_hash"), handle: try row.string("handle"), account: try row.id("account_id"),
            stage: stage, createdAt: try row.date(createdAtColumn), lastSeenAt: try row.date("last_seen_at"),
            expiresAt: try row.date("expires_at"), clientIP: try row.optionalString("client_ip"),
            userAgent: try row.optionalString("user_agent"), revokedAt: try row.optionalDate("revoked_at")
        )
    }
}
