import CareVaultCore
import CareVaultStore
import Foundation

/// Forgotten-password resets and password changes.
public struct PasswordService: Sendable {
    public static let resetLifetime: TimeInterval = 30 * 60
    /// Said after every reset request, whether or not the address has an account.
    public static let requestAnswer = "If an account uses this email address, we have sent it a link to set a new password. The link works for 30 minutes."

    let env: AppEnvironment

    public init(env: AppEnvironment) { self.env = env }

    public func requestReset(email rawEmail: String, info: RequestInfo) async throws {
        let email: String
        do { email = try Inputs.email(rawEmail) } catch { throw ValidationFailure([error]) }
        let token = SecretToken.generate()
        let now = Date()
        try await env.database.write { sql in
            guard let account = try await AccountRepository(sql).find(email: email) else { return }
            try await AccountTokenRepository(sql).insert(hash: token.storageHash, account: account.id, purpose: .resetPassword,
                                                         at: now, expiresAt: now.addingTimeInterval(Self.resetLifetime))
            try await env.mailer.queue(
                to: email, subject: "Set a new CareVault password",
                body: "Someone asked to set a new password for your CareVault account. Follow this link within 30 minutes to choose one:\n\n\(env.link("/password/reset?token=\(token.value)"))\n\nIf it was not you, ignore this message: your password has not changed.",
                on: sql)
            try await env.audit.record(AuditEvent(.passwordResetRequested, info: info, patient: account.patient, subject: account.id), on: sql)
        }
    }

    /// Whether a reset link can still be used (to show the form or an "expired" page).
    public func isUsable(token: String) async throws -> Bool {
        try await env.database.read {
            try await AccountTokenRepository($0).isValid(hash: SecretToken.hash(token), purpose: .resetPassword, at: Date())
        }
    }

    /// Sets a new password from a reset link; signs out every session and clears any lock-out.
    public func reset(token: String, newPassword: String, info: RequestInfo) async throws {
        do { try env.passwordPolicy.validate(newPassword) } catch { throw ValidationFailure([error]) }
        let hash = try await env.hashPassword(newPassword)
        let now = Date()
        try await env.database.write { sql in
            let tokens = AccountTokenRepository(sql)
            let result = try await tokens.consume(hash: SecretToken.hash(token), purpose: .resetPassword, at: now)
            guard result.valid, let accountID = result.account, let account = try await AccountRepository(sql).find(id: accountID) else {
                throw ValidationFailure([FieldError(field: "password", message: "This link has expired or was already used. Ask for a new one.")])
            }
            try await AccountRepository(sql).updatePasswordHash(accountID, hash: hash, at: now)
            try await AccountRepository(sql).updateThrottle(accountID, failedAttempts: 0, lockouts: 0, lockedUntil: nil)
            try await tokens.invalidateAll(account: accountID, purpose: .resetPassword, at: now)
            try await SessionRepository(sql).revokeAll(account: accountID, at: now)
            try await env.audit.record(AuditEvent(.passwordReset, info: info, patient: account.patient, subject: accountID), on: sql)
        }
    }

    /// Changes the password of a signed-in account; other sessions are signed out.
    public func change(for session: ActiveSession, current: String, new: String, info: RequestInfo) async throws {
        let account = session.account
        try await AttemptThrottle(env: env).confirmPassword(current, of: account, field: "currentPassword", info: info)
        do { try env.passwordPolicy.validate(new, field: "newPassword", context: [account.email]) } catch { throw ValidationFailure([error]) }
        let hash = try await env.hashPassword(new)
        try await env.database.write { sql in
            try await AccountRepository(sql).updatePasswordHash(account.id, hash: hash, at: Date())
            try await SessionRepository(sql).revokeAll(account: account.id, except: session.idHash, at: Date())
            try await env.audit.record(AuditEvent(.passwordChanged, info: info, actor: account), on: sql)
        }
    }
}
