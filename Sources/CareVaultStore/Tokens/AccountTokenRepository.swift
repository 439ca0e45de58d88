import CareVaultCore
import Foundation
import SQLKit

/// What a single-use account token is for.
public enum TokenPurpose: String, Sendable {
    /// Confirms the email address of an account registered by identity match (24 h).
    case confirmEmail = "confirm-email"
    /// Sets a new password (30 min).
    case resetPassword = "reset-password"
    /// The one-time link that creates the first administrator.
    case adminSetup = "admin-setup"
}

/// Single-use tokens stored as their SHA-256 hash (`account_tokens`) and recovery codes (`recovery_codes`).
public struct AccountTokenRepository: Sendable {
    private let sql: any SQLDatabase

    public init(_ sql: any SQLDatabase) { self.sql = sql }

    public func insert(hash: String, account: AccountID?, purpose: TokenPurpose, at now: Date, expiresAt: Date) async throws {
        try await sql.raw("""
            INSERT INTO account_tokens (token_hash, account_id, purpose, created_at, expires_at)
            VALUES (\(bind: hash), \(bind: account?.description), \(bind: purpose.rawValue), \(bind: now.ms), \(bind: expiresAt.ms))
            """).run()
    }

    /// Whether an unused, unexpired token exists (without using it).
    public func isValid(hash: String, purpose: TokenPurpose, at now: Date) async throws -> Bool {
        try await sql.raw("""
            SELECT token_hash FROM account_tokens WHERE token_hash = \(bind: hash) AND purpose = \(bind: purpose.rawValue)
            AND used_at IS NULL AND expires_at > \(bind: now.ms)
            """).first() != nil
    }

    /// Uses a token up. Returns whether it was valid, and its account if it has one.
    public func consume(hash: String, purpose: TokenPurpose, at now: Date) async throws -> (valid: Bool, account: AccountID?) {
        guard let row = try await sql.raw("""
            UPDATE account_tokens SET used_at = \(bind: now.ms)
            WHERE token_hash = \(bind: hash) AND purpose = \(bind: purpose.rawValue) AND used_at IS NULL AND expires_at > \(bind: now.ms)
            RETURNING account_id
            """).first() else { return (false, nil) }
        return (true, try row.optionalID("account_id"))
    }

    /// Voids every unused token of a purpose for an account (e.g. older reset links after a reset).
    public func invalidateAll(account: AccountID, purpose: TokenPurpose, at now: Date) async throws {
        try await sql.raw("""
            UPDATE account_tokens SET used_at = \(bind: now.ms)
            WHERE account_id = \(bind: account.description) AND purpose = \(bind: purpose.rawValue) AND used_at IS NULL
            """).run()
    }

    /// Voids every unused token of a purpose with no account (e.g. an earlier admin set-up link).
    public func invalidateAllUnowned(purpose: TokenPurpose, at now: Date) async throws {
        try await sql.raw("""
            UPDATE account_tokens SET used_at = \(bind: now.ms)
            WHERE account_id IS NULL AND purpose = \(bind: purpose.rawValue) AND used_at IS NULL
            """).run()
    }

    // MARK: Recovery codes

    public func replaceRecoveryCodes(account: AccountID, hashes: [String], at now: Date) async throws {
        try await sql.raw("DELETE FROM recovery_codes WHERE account_id = \(bind: account.description)").run()
        for hash in hashes {
            try await sql.raw("""
                INSERT INTO recovery_codes (account_id, code_hash, created_at)
                VALUES (\(bind: account.description), \(bind: hash), \(bind: now.ms))
                """).run()
        }
    }

    /// Uses a recovery code up; false if unknown or already used.
    public func consumeRecoveryCode(account: AccountID, hash: String, at now: Date) async throws -> Bool {
        try await sql.raw("""
            UPDATE recovery_codes SET used_at = \(bind: now.ms)
            WHERE account_id = \(bind: account.description) AND code_hash = \(bind: hash) AND used_at IS NULL
            RETURNING code_hash
            """).first() != nil
    }

    public func remainingRecoveryCodes(account: AccountID) async throws -> Int {
        try await sql.raw("""
            SELECT COUNT(*) AS n FROM recovery_codes WHERE account_id = \(bind: account.description) AND used_at IS NULL
            """).first().map { try $0.int("n") } ?? 0
    }

    /// Every stored recovery-code hash not yet in the keyed form (`prefix`), for re-keying at start-up.
    public func recoveryCodeHashes(notStartingWith prefix: String) async throws -> [(account: AccountID, hash: String)] {
        try await sql.raw("SELECT account_id, code_hash FROM recovery_codes WHERE code_hash NOT LIKE \(bind: prefix + "%")").all()
            .map { (try $0.id("account_id"), try $0.string("code_hash")) }
    }

    public func replaceRecoveryCodeHash(account: AccountID, _ old: String, with new: String) async throws {
        try await sql.raw("""
            UPDATE recovery_codes SET code_hash = \(bind: new) WHERE account_id = \(bind: account.description) AND code_hash = \(bind: old)
            """).run()
    }
}
