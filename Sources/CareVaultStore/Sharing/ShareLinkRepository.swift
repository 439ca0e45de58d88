import CareVaultCore
import Foundation
import SQLKit

/// Share links (`share_links`), their recipients' sessions and their SMART Health Link files. What
/// concerns one patient's shares as the patient manages them is reached through ``PatientRecordWriter``
/// and ``PatientRecordReader``; this repository also finds a share by its token's or manifest's hash
/// for the recipient, counts wrong codes, and keeps the recipient's session.
public struct ShareLinkRepository: Sendable {
    private let sql: any SQLDatabase

    public init(_ sql: any SQLDatabase) { self.sql = sql }

    /// Stores a new share with the keyed hashes of its token and access code (and of its SMART Health
    /// Link manifest id, when it is one).
    func insert(_ share: ShareLink, createdBy: AccountID?, tokenHash: String, codeHash: String, manifestHash: String?, longTerm: Bool) async throws {
        let items = String(decoding: try JSONEncoder().encode(share.items), as: UTF8.self)
        try await sql.raw("""
            INSERT INTO share_links (id, patient_id, created_by, label, note, items, token_hash, code_hash, created_at, expires_at, once_only,
                allows_download, asks_birth_date, shl_manifest_hash, shl_long_term)
            VALUES (\(bind: share.id.description), \(bind: share.patient.description), \(bind: createdBy?.description), \(bind: share.label),
                \(bind: share.note), \(bind: items), \(bind: tokenHash), \(bind: codeHash), \(bind: share.createdAt.ms), \(bind: share.expiresAt.ms),
                \(bind: share.onceOnly ? 1 : 0), \(bind: share.allowsDownload ? 1 : 0), \(bind: share.asksBirthDate ? 1 : 0),
                \(bind: manifestHash), \(bind: longTerm ? 1 : 0))
            """).run()
    }

    /// Notes that a share keeps the real dates on the scans it sends out.
    func markKeepsDates(id: GrantID) async throws {
        try await sql.raw("UPDATE share_links SET keeps_dates = 1 WHERE id = \(bind: id.description)").run()
    }

    /// One patient's shares, newest first (every state: the patient sees ended ones too).
    func all(patient: PatientID, limit: Int) async throws -> [StoredShareLink] {
        try await sql.raw("SELECT * FROM share_links WHERE patient_id = \(bind: patient.description) ORDER BY created_at DESC, id LIMIT \(bind: limit)")
            .all().map(Self.share)
    }

    /// Ends one patient's share now. Returns whether it was not ended already by revocation.
    func revoke(id: GrantID, patient: PatientID, by account: AccountID?, at now: Date, onlyMadeBy maker: AccountID? = nil) async throws -> Bool {
        var query: SQLQueryString = """
            UPDATE share_links SET revoked_at = \(bind: now.ms), revoked_by = \(bind: account?.description)
            WHERE id = \(bind: id.description) AND patient_id = \(bind: patient.description) AND revoked_at IS NULL
            """
        if let maker { query.appendInterpolation(unsafeRaw: " AND created_by = "); query.appendInterpolation(bind: maker.description) }
        query.appendInterpolation(unsafeRaw: " RETURNING id")
        return try await sql.raw(query).first() != nil
    }

    /// The share a link's token names, by its keyed hash, whatever its state, with its code's keyed hash.
    public func find(tokenHash: String) async throws -> (StoredShareLink, codeHash: String)? {
        guard let row = try await sql.raw("SELECT * FROM share_links WHERE token_hash = \(bind: tokenHash)").first() else { return nil }
        return (try Self.share(row), try row.string("code_hash"))
    }

    /// The share a SMART Health Link's manifest id names, by its keyed hash, with its code's keyed hash.
    public func find(manifestHash: String) async throws -> (StoredShareLink, codeHash: String)? {
        guard let row = try await sql.raw("SELECT * FROM share_links WHERE shl_manifest_hash = \(bind: manifestHash)").first() else { return nil }
        return (try Self.share(row), try row.string("code_hash"))
    }

    /// One share by id.
    public func find(id: GrantID) async throws -> StoredShareLink? {
        try await sql.raw("SELECT * FROM share_links WHERE id = \(bind: id.description)").first().map(Self.share)
    }

    /// Counts a wrong code against a share in one statement (parallel tries each count), locking it at
    /// `limit`. Returns the count now, and whether this try locked it.
    public func countFailedAttempt(id: GrantID, limit: Int, at now: Date) async throws -> (count: Int, lockedNow: Bool) {
        let row = try await sql.raw("""
            UPDATE share_links SET failed_attempts = failed_attempts + 1,
                locked_at = CASE WHEN locked_at IS NULL AND failed_attempts + 1 >= \(bind: limit) THEN \(bind: now.ms) ELSE locked_at END
            WHERE id = \(bind: id.description) RETURNING failed_attempts, locked_at
            """).first()
        guard let row else { return (limit, false) }
        let count = try row.int("failed_attempts")
        let lockedAt = try row.optionalDate("locked_at")
        return (count, count == limit && lockedAt?.ms == now.ms)
    }

    /// Counts an opening (the right code), in one statement that also checks the share may still be
    /// opened — not revoked, locked or expired, and for a once-only share not opened before — so two
    /// parallel openings of a once-only share cannot both succeed. Returns whether it was opened.
    public func open(id: GrantID, at now: Date) async throws -> Bool {
        try await sql.raw("""
            UPDATE share_links SET opened_count = opened_count + 1, last_opened_at = \(bind: now.ms),
                first_opened_at = COALESCE(first_opened_at, \(bind: now.ms))
            WHERE id = \(bind: id.description) AND revoked_at IS NULL AND locked_at IS NULL AND expires_at > \(bind: now.ms)
                AND (once_only = 0 OR first_opened_at IS NULL)
            RETURNING id
            """).first() != nil
    }

    // MARK: Recipients' sessions

    /// Starts a recipient's session of a share, stored by its token's keyed hash.
    public func insertSession(idHash: String, share: GrantID, at now: Date, until end: Date) async throws {
        try await sql.raw("""
            INSERT INTO share_sessions (id_hash, share_id, created_at, expires_at)
            VALUES (\(bind: idHash), \(bind: share.description), \(bind: now.ms), \(bind: end.ms))
            """).run()
    }

    /// The share a session in force names.
    public func session(idHash: String, at now: Date) async throws -> StoredShareLink? {
        try await sql.raw("""
            SELECT s.* FROM share_sessions x JOIN share_links s ON s.id = x.share_id
            WHERE x.id_hash = \(bind: idHash) AND x.expires_at > \(bind: now.ms)
            """).first().map(Self.share)
    }

    /// Ends a recipient's session.
    public func deleteSession(idHash: String) async throws {
        try await sql.raw("DELETE FROM share_sessions WHERE id_hash = \(bind: idHash)").run()
    }

    /// Removes sessions that ended before `now` (housekeeping).
    public func deleteEndedSessions(at now: Date) async throws {
        try await sql.raw("DELETE FROM share_sessions WHERE expires_at <= \(bind: now.ms)").run()
    }

    // MARK: SMART Health Link files (ciphertext only)

    /// Stores one encrypted file of a share (a compact JWE).
    func insertFile(share: GrantID, id: String, contentType: String, body: String) async throws {
        try await sql.raw("""
            INSERT INTO share_files (share_id, id, content_type, body)
            VALUES (\(bind: share.description), \(bind: id), \(bind: contentType), \(bind: body))
            """).run()
    }

    /// The ids and content types of one patient's share's encrypted files.
    func files(share: GrantID, patient: PatientID) async throws -> [(id: String, contentType: String)] {
        try await sql.raw("""
            SELECT f.id, f.content_type FROM share_files f JOIN share_links s ON s.id = f.share_id
            WHERE f.share_id = \(bind: share.description) AND s.patient_id = \(bind: patient.description) ORDER BY f.id
            """).all().map { (try $0.string("id"), try $0.string("content_type")) }
    }

    /// One encrypted file of one patient's share.
    func file(share: GrantID, id: String, patient: PatientID) async throws -> (contentType: String, body: String)? {
        try await sql.raw("""
            SELECT f.content_type, f.body FROM share_files f JOIN share_links s ON s.id = f.share_id
            WHERE f.share_id = \(bind: share.description) AND f.id = \(bind: id) AND s.patient_id = \(bind: patient.description)
            """).first().map { (try $0.string("content_type"), try $0.string("body")) }
    }

    static func share(_ row: any SQLRow) throws -> StoredShareLink {
        let items = try JSONDecoder().decode([String].self, from: Data(try row.string("items").utf8))
        let share = ShareLink(
            id: try row.id("id"), patient: try row.id("patient_id"), label: try row.string("label"), note: try row.optionalString("note"),
            items: items, createdAt: try row.date("created_at"), expiresAt: try row.date("expires_at"), onceOnly: try row.int("once_only") != 0,
            allowsDownload: try row.int("allows_download") != 0, asksBirthDate: try row.int("asks_birth_date") != 0,
            revokedAt: try row.optionalDate("revoked_at"), lockedAt: try row.optionalDate("locked_at"), openedCount: try row.int("opened_count"),
            firstOpenedAt: try row.optionalDate("first_opened_at"), lastOpenedAt: try row.optionalDate("last_opened_at"),
            keepsScanDates: try row.int("keeps_dates") != 0)
        return StoredShareLink(share: share, createdBy: try row.optionalID("created_by"), failedAttempts: try row.int("failed_attempts"),
                               isSMARTHealthLink: try row.optionalString("shl_manifest_hash") != nil, longTerm: try row.int("shl_long_term") != 0)
    }
}

/// A share as stored: the share, who made it, and its bookkeeping.
public struct StoredShareLink: Sendable, Equatable {
    public let share: ShareLink
    /// The account that made it (the patient, or a proxy for them).
    public let createdBy: AccountID?
    public let failedAttempts: Int
    /// Whether it was also handed out as a SMART Health Link.
    public let isSMARTHealthLink: Bool
    /// Whether the SMART Health Link is marked long-term (flag `L`).
    public let longTerm: Bool
}
