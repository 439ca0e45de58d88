import CareVaultCore
import CareVaultStore
import Foundation
import SQLKit

/// A session that passed every check on this request.
public struct ActiveSession: Sendable {
    /// The SHA-256 of the cookie value: the key of the stored row, and the root of the CSRF token.
    public let idHash: String
    public let record: SessionRecord
    public let account: Account
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

    /// Starts a new session (a fresh random id: sign-in always rotates the id). Returns the cookie value.
    public func create(for account: AccountID, stage: SessionRecord.Stage, info: RequestInfo,
                       on sql: any SQLDatabase, at now: Date = Date()) async throws -> SecretToken {
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
        let found = try await database.read { try await SessionRepository($0).findWithAccount(idHash: idHash) }
        guard let (record, account) = found, record.revokedAt == nil, record.expiresAt > now,
              now.timeIntervalSince(record.lastSeenAt) <= Self.idleTimeout
        else { return nil }
        if now.timeIntervalSince(record.lastSeenAt) > Self.touchInterval {
            try await database.write { try await SessionRepository($0).touch(idHash: idHash, at: now) }
        }
        return ActiveSession(idHash: idHash, record: record, account: account)
    }
}
