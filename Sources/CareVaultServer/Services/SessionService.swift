import CareVaultCore
import CareVaultStore
import Foundation

/// A session that passed every check on this request.
public struct ActiveSession: Sendable {
    /// The SHA-256 of the cookie value: the key of the stored row, and the root of the CSRF token.
    public let idHash: String
    public let record: SessionRecord
    public let account: Account
    /// The proxy grants this account accepted and nobody revoked, with their patients' names (for the
    /// record switcher; the record's door judges each request afresh).
    public let proxyGrants: [HeldProxyGrant]
}

/// Creates, checks and ends server-side sessions.
public struct SessionService: Sendable {
    /// Idle limit: a session unused this long ends.
    public static let idleTimeout: TimeInterval = 30 * 60
    /// Absolute limit from sign-in, whatever the activity.
    public static let absoluteTimeout: TimeInterval = 12 * 60 * 60
    /// Only write `last_seen_at` when it is this stale, so reads stay reads.
    static let touchInterval: TimeInterval = 60

    let database: Database
    let audit: AuditRecorder

    /// Starts a new session (a fresh random id: sign-in always rotates the id). Returns the cookie value.
    public func create(for account: AccountID, stage: SessionRecord.Stage, info: RequestInfo,
                       on sql: Database.DatabaseConnection, at now: Date = Date()) async throws -> SecretToken {
        let token = SecretToken.generate()
        let record = SessionRecord(
            idHash: token.storageHash, handle: SecretToken.generate(bytes: 12).value, account: account, stage: stage,
            createdAt: now, lastSeenAt: now, expiresAt: now.addingTimeInterval(Self.absoluteTimeout),
            clientIP: info.clientIP, userAgent: info.userAgent
        )
        try await SessionRepository(sql).insert(record)
        return token
    }

    /// Looks up the session a cookie names; nil if unknown, revoked, idle too long or past its end.
    public func validate(cookieValue: String, at now: Date = Date()) async throws -> ActiveSession? {
        let idHash = SecretToken.hash(cookieValue)
        let found = try await database.read { sql -> (SessionRecord, Account, [HeldProxyGrant])? in
            guard let (record, account, holds) = try await SessionRepository(sql).findWithAccount(idHash: idHash) else { return nil }
            return (record, account, holds ? try await ProxyGrantRepository(sql).held(by: account.id) : [])
        }
        guard let (record, account, proxyGrants) = found, record.revokedAt == nil, record.expiresAt > now,
              now.timeIntervalSince(record.lastSeenAt) <= Self.idleTimeout
        else { return nil }
        if now.timeIntervalSince(record.lastSeenAt) > Self.touchInterval {
            try await database.write { try await SessionRepository($0).touch(idHash: idHash, at: now) }
        }
        return ActiveSession(idHash: idHash, record: record, account: account, proxyGrants: proxyGrants)
    }

    /// The account's sessions that are still signed in, newest first.
    public func active(for account: AccountID, at now: Date = Date()) async throws -> [SessionRecord] {
        try await database.read { try await SessionRepository($0).listActive(account: account, at: now) }
    }

    /// Signs the browser out: the session ends at once, and the sign-out is audited.
    public func signOut(_ session: ActiveSession, info: RequestInfo) async throws {
        try await database.write { sql in
            try await SessionRepository(sql).revoke(idHash: session.idHash, at: Date())
            try await audit.record(AuditEvent(.signOut, info: info, actor: session.account), on: sql)
        }
    }

    /// Ends the session a browser had before signing in again (the id always rotates at sign-in).
    public func replace(_ old: ActiveSession) async throws {
        try await database.write { try await SessionRepository($0).revoke(idHash: old.idHash, at: Date()) }
    }

    /// Signs out one of the account's own devices by its handle; false when the account has no such session.
    public func revoke(handle: String, of account: Account, info: RequestInfo) async throws -> Bool {
        try await database.write { sql in
            guard try await SessionRepository(sql).revoke(handle: handle, account: account.id, at: Date()) else { return false }
            try await audit.record(AuditEvent(.sessionRevoked, info: info, actor: account), on: sql)
            return true
        }
    }

    /// Signs out every other device of the account, keeping `current`.
    public func revokeOthers(of account: Account, keeping current: ActiveSession, info: RequestInfo) async throws {
        try await database.write { sql in
            try await SessionRepository(sql).revokeAll(account: account.id, except: current.idHash, at: Date())
            try await audit.record(AuditEvent(.sessionRevoked, info: info, actor: account), on: sql)
        }
    }

    /// How long an ended session is kept (for the devices page and investigations) before it is deleted.
    public static let endedSessionRetention: TimeInterval = 24 * 60 * 60

    /// Deletes sessions that ended (expired or revoked) more than ``endedSessionRetention`` before `now`,
    /// so the table holds live sessions rather than every sign-in ever made.
    public func purgeEnded(at now: Date = Date()) async throws {
        try await database.write { try await SessionRepository($0).purge(before: now.addingTimeInterval(-Self.endedSessionRetention)) }
    }
}
