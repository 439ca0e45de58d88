import CareVaultCore
import CareVaultStore
import Foundation
import SQLKit

/// What a sign-in step ended in.
public enum SignInOutcome: Sendable {
    /// Fully signed in: set this session cookie.
    case signedIn(SecretToken, Account)
    /// Password accepted; ask for the second factor on this (new) session.
    case secondFactorRequired(SecretToken)
    /// Wrong details. The message never says which part was wrong.
    case failed(String)
    /// Too many failures; the message says for how long.
    case locked(String)
    /// The email address has not been confirmed yet.
    case emailNotConfirmed
}

/// Password and second-factor sign-in, with per-account lock-out.
public struct SignInService: Sendable {
    public static let wrongDetails = "The email address or password is not right. Check them and try again."
    public static let wrongCode = "That code is not right, or it was already used. Enter the newest code from your authenticator app."

    let env: AppEnvironment
    let lockout = LockoutPolicy()

    public init(env: AppEnvironment) { self.env = env }

    public func signIn(email rawEmail: String, password: String, info: RequestInfo) async throws -> SignInOutcome {
        let now = Date()
        let email = (try? Inputs.email(rawEmail)) ?? ""
        let found = email.isEmpty ? nil : try await env.database.read { try await AccountRepository($0).find(email: email) }
        guard let account = found else {
            try await env.verifyDecoyPassword(password)
            return .failed(Self.wrongDetails)
        }
        if let until = account.lockedUntil, until > now {
            return .locked(LockoutPolicy.message(lockedUntil: until, now: now))
        }
        guard try await env.verifyPassword(password, against: account.passwordHash) else {
            return try await recordFailure(account, action: .signInFailed, info: info, message: Self.wrongDetails)
        }
        guard account.emailVerifiedAt != nil else { return .emailNotConfirmed }

        let upgraded = env.passwordHasher.needsUpgrade(account.passwordHash) ? try await env.hashPassword(password) : nil
        return try await env.database.write { sql in
            let accounts = AccountRepository(sql)
            if let upgraded { try await accounts.updatePasswordHash(account.id, hash: upgraded, at: now) }
            if account.hasSecondFactor {
                let token = try await env.sessions.create(for: account.id, stage: .awaitingSecondFactor, info: info, on: sql)
                return .secondFactorRequired(token)
            }
            try await accounts.updateThrottle(account.id, failedAttempts: 0, lockouts: 0, lockedUntil: nil)
            let token = try await env.sessions.create(for: account.id, stage: .signedIn, info: info, on: sql)
            try await env.audit.record(AuditEvent(.signIn, info: info, actor: account), on: sql)
            return .signedIn(token, account)
        }
    }

    /// Checks a TOTP code or a recovery code for a session awaiting its second factor. On success the
    /// pending session is ended and a new one (a new id) is started.
    public func completeSecondFactor(session: ActiveSession, code rawCode: String, info: RequestInfo) async throws -> SignInOutcome {
        let now = Date()
        let account = session.account
        if let until = account.lockedUntil, until > now {
            return .locked(LockoutPolicy.message(lockedUntil: until, now: now))
        }
        let digits = rawCode.filter { !$0.isWhitespace }
        let isTOTP = digits.count == 6 && digits.allSatisfy(\.isNumber)
        var step: Int64?
        if isTOTP {
            guard let sealed = account.totpSecretSealed, let secret = try? openSecret(sealed, account: account.id) else {
                return .failed(Self.wrongCode)
            }
            step = TOTPVerifier.matchingStep(secret: secret, code: digits, at: now)
            if step == nil {
                return try await recordFailure(account, action: .secondFactorFailed, info: info, message: Self.wrongCode)
            }
        }
        let outcome = try await env.database.write { sql -> SignInOutcome? in
            let accounts = AccountRepository(sql)
            if let step {
                guard try await accounts.claimTOTPStep(account.id, step: step) else { return nil }
            } else {
                let used = try await AccountTokenRepository(sql).consumeRecoveryCode(
                    account: account.id, hash: HumanCode.storageHash(of: rawCode), at: now)
                guard used else { return nil }
                try await env.audit.record(AuditEvent(.recoveryCodeUsed, info: info, actor: account), on: sql)
            }
            try await accounts.updateThrottle(account.id, failedAttempts: 0, lockouts: 0, lockedUntil: nil)
            try await SessionRepository(sql).revoke(idHash: session.idHash, at: now)
            let token = try await env.sessions.create(for: account.id, stage: .signedIn, info: info, on: sql)
            try await env.audit.record(AuditEvent(.signIn, info: info, actor: account), on: sql)
            return .signedIn(token, account)
        }
        if let outcome { return outcome }
        return try await recordFailure(account, action: .secondFactorFailed, info: info, message: Self.wrongCode)
    }

    /// Counts a failure against the account, locking it when the policy says so.
    private func recordFailure(_ account: Account, action: AuditAction, info: RequestInfo, message: String) async throws -> SignInOutcome {
        let now = Date()
        return try await env.database.write { sql in
            let accounts = AccountRepository(sql)
            guard let current = try await accounts.find(id: account.id) else { return .failed(message) }
            let before = LockoutPolicy.State(failedAttempts: current.failedAttempts, lockouts: current.lockouts, lockedUntil: current.lockedUntil)
            let after = lockout.afterFailure(before, at: now)
            try await accounts.updateThrottle(account.id, failedAttempts: after.failedAttempts, lockouts: after.lockouts, lockedUntil: after.lockedUntil)
            try await env.audit.record(AuditEvent(action, info: info, outcome: .failure, patient: account.patient, subject: account.id), on: sql)
            if after.lockouts > before.lockouts, let until = after.lockedUntil {
                try await env.audit.record(AuditEvent(.lockedOut, info: info, outcome: .denied, patient: account.patient, subject: account.id), on: sql)
                return .locked(LockoutPolicy.message(lockedUntil: until, now: now))
            }
            return .failed(message)
        }
    }

    func openSecret(_ sealed: String, account: AccountID) throws -> String {
        guard let data = Data(base64Encoded: sealed) else { throw MasterKeyError.sealFailed }
        return String(decoding: try env.masterKey.open(data, context: "totp:\(account)"), as: UTF8.self)
    }
}
