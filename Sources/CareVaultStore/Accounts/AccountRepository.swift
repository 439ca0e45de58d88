import CareVaultCore
import Foundation
import SQLKit

/// Reads and writes `accounts`.
public struct AccountRepository: Sendable {
    private let sql: any SQLDatabase

    public init(_ sql: any SQLDatabase) { self.sql = sql }

    public func find(id: AccountID) async throws -> Account? {
        try await sql.raw("SELECT * FROM accounts WHERE id = \(bind: id.description)").first().map(Self.account)
    }

    public func find(email: String) async throws -> Account? {
        try await sql.raw("SELECT * FROM accounts WHERE email = \(bind: email)").first().map(Self.account)
    }

    public func find(patient: PatientID) async throws -> Account? {
        try await sql.raw("SELECT * FROM accounts WHERE patient_id = \(bind: patient.description)").first().map(Self.account)
    }

    public func hasAdmin() async throws -> Bool {
        try await sql.raw("SELECT id FROM accounts WHERE role = 'admin' LIMIT 1").first() != nil
    }

    public func insert(_ a: Account) async throws {
        try await sql.raw("""
            INSERT INTO accounts (id, email, display_name, role, organization_id, patient_id, password_hash,
                email_verified_at, failed_attempts, lockouts, created_at, updated_at)
            VALUES (\(bind: a.id.description), \(bind: a.email), \(bind: a.displayName), \(bind: a.role.rawValue),
                \(bind: a.organization?.description), \(bind: a.patient?.description), \(bind: a.passwordHash),
                \(bind: a.emailVerifiedAt?.ms), 0, 0, \(bind: a.createdAt.ms), \(bind: a.createdAt.ms))
            """).run()
    }

    public func updatePasswordHash(_ id: AccountID, hash: String, at now: Date) async throws {
        try await sql.raw("UPDATE accounts SET password_hash = \(bind: hash), updated_at = \(bind: now.ms) WHERE id = \(bind: id.description)").run()
    }

    public func markEmailVerified(_ id: AccountID, at now: Date) async throws {
        try await sql.raw("""
            UPDATE accounts SET email_verified_at = \(bind: now.ms), updated_at = \(bind: now.ms)
            WHERE id = \(bind: id.description) AND email_verified_at IS NULL
            """).run()
    }

    /// Counts one attempt before the secret is checked, in one statement so concurrent attempts each
    /// get their own number. Nil while the account is locked (nothing is counted then).
    public func claimAttempt(_ id: AccountID, at now: Date) async throws -> (attempt: Int, lockouts: Int)? {
        guard let row = try await sql.raw("""
            UPDATE accounts SET failed_attempts = failed_attempts + 1
            WHERE id = \(bind: id.description) AND (locked_until IS NULL OR locked_until <= \(bind: now.ms))
            RETURNING failed_attempts, lockouts
            """).first() else { return nil }
        return (Int(try row.decode(column: "failed_attempts", as: Int64.self)), Int(try row.decode(column: "lockouts", as: Int64.self)))
    }

    /// Takes back one claimed attempt that succeeded without ending the sign-in (the password before
    /// the second step, or a password confirming a change), so failures around it still add up.
    public func releaseAttempt(_ id: AccountID) async throws {
        try await sql.raw("""
            UPDATE accounts SET failed_attempts = CASE WHEN failed_attempts > 0 THEN failed_attempts - 1 ELSE 0 END
            WHERE id = \(bind: id.description)
            """).run()
    }

    /// Stores the counters that ``SignInThrottle`` computed after a failed or successful attempt.
    public func updateThrottle(_ id: AccountID, failedAttempts: Int, lockouts: Int, lockedUntil: Date?) async throws {
        try await sql.raw("""
            UPDATE accounts SET failed_attempts = \(bind: failedAttempts), lockouts = \(bind: lockouts),
                locked_until = \(bind: lockedUntil?.ms) WHERE id = \(bind: id.description)
            """).run()
    }

    public func setPendingTOTP(_ id: AccountID, sealed: String?, at now: Date) async throws {
        try await sql.raw("UPDATE accounts SET totp_pending_sealed = \(bind: sealed), updated_at = \(bind: now.ms) WHERE id = \(bind: id.description)").run()
    }

    /// Turns on TOTP with the confirmed secret; `step` is the step of the confirming code (not reusable).
    public func enableTOTP(_ id: AccountID, sealed: String, step: Int64, at now: Date) async throws {
        try await sql.raw("""
            UPDATE accounts SET totp_secret_sealed = \(bind: sealed), totp_pending_sealed = NULL,
                totp_enabled_at = \(bind: now.ms), totp_last_step = \(bind: step), updated_at = \(bind: now.ms)
            WHERE id = \(bind: id.description)
            """).run()
    }

    public func disableTOTP(_ id: AccountID, at now: Date) async throws {
        try await sql.raw("""
            UPDATE accounts SET totp_secret_sealed = NULL, totp_pending_sealed = NULL, totp_enabled_at = NULL,
                totp_last_step = NULL, updated_at = \(bind: now.ms) WHERE id = \(bind: id.description)
            """).run()
    }

    /// Records `step` as used if it is later than the last used one. False means the code was already used.
    public func claimTOTPStep(_ id: AccountID, step: Int64) async throws -> Bool {
        try await sql.raw("""
            UPDATE accounts SET totp_last_step = \(bind: step)
            WHERE id = \(bind: id.description) AND (totp_last_step IS NULL OR totp_last_step < \(bind: step))
            RETURNING id
            """).first() != nil
    }

    static func account(_ row: any SQLRow) throws -> Account {
        guard let role = Role(rawValue: try row.string("role")) else {
            throw DatabaseError.unexpectedResult("unknown role")
        }
        var a = Account(
            id: try row.id("id"), email: try row.string("email"), displayName: try row.string("display_name"),
            role: role, organization: try row.optionalID("organization_id"), patient: try row.optionalID("patient_id"),
            passwordHash: try row.string("password_hash"), emailVerifiedAt: try row.optionalDate("email_verified_at"),
            createdAt: try row.date("created_at")
        )
        a.totpSecretSealed = try row.optionalString("totp_secret_sealed")
        a.totpPendingSealed = try row.optionalString("totp_pending_sealed")
        a.totpEnabledAt = try row.optionalDate("totp_enabled_at")
        a.totpLastStep = try row.decode(column: "totp_last_step", as: Int64?.self)
        a.failedAttempts = try row.int("failed_attempts")
        a.lockouts = try row.int("lockouts")
        a.lockedUntil = try row.optionalDate("locked_until")
        return a
    }
}
