import CareVaultCore
import CareVaultStore
import Foundation

/// What a sign-in step ended in.
public enum SignInOutcome: Sendable {
    /// Fully signed in: set this session cookie.
    case signedIn(SecretToken, Account)
    /// Password accepted; ask for the second factor on this (new) session.
    case secondFactorRequired(SecretToken)
    /// Wrong details. The message never says which part was wrong.
    case failed(String)
    /// Too many failures at the second step; the message says for how long. (A locked account's
    /// password step answers `failed`, like a wrong password.)
    case locked(String)
    /// The email address has not been confirmed yet.
    case emailNotConfirmed
}

/// Password and second-factor sign-in, with per-account lock-out.
public struct SignInService: Sendable {
    public static let wrongDetails = "The email address or password is not right. Check them and try again."
    public static let wrongCode = "That code is not right, or it was already used. Enter the newest code from your authenticator app."

    let env: AppEnvironment

    public init(env: AppEnvironment) { self.env = env }

    public func signIn(email rawEmail: String, password: String, info: RequestInfo) async throws -> SignInOutcome {
        let now = Date()
        let email = (try? Inputs.email(rawEmail)) ?? ""
        let found = email.isEmpty ? nil : try await env.database.read { try await AccountRepository($0).find(email: email) }
        guard let account = found else {
            try await env.verifyDecoyPassword(password)
            return .failed(Self.wrongDetails)
        }
        // A locked account answers as a wrong password does, after the same work: the lock-out is
        // told to the owner by email, not to whoever is guessing.
        let result = try await AttemptThrottle(env: env).attempt(account, failure: .signInFailed, info: info,
                                                                 decoy: { try await env.verifyDecoyPassword(password) }) {
            try await env.verifyPassword(password, against: account.passwordHash)
        }
        guard case .passed = result else { return .failed(Self.wrongDetails) }
        guard account.emailVerifiedAt != nil else { return .emailNotConfirmed }

        let upgraded = env.passwordHasher.needsUpgrade(account.passwordHash) ? try await env.hashPassword(password) : nil
        return try await env.database.write { sql in
            let accounts = AccountRepository(sql)
            if let upgraded { try await accounts.updatePasswordHash(account.id, hash: upgraded, at: now) }
            if account.hasSecondFactor {
                // The second step's failures must keep adding to the password's: take this attempt back, do not clear them.
                try await accounts.releaseAttempt(account.id)
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
        let digits = rawCode.filter { !$0.isWhitespace }
        let isTOTP = digits.count == 6 && digits.allSatisfy(\.isNumber)
        var step: Int64?
        var outcome: SignInOutcome?
        // The person here has shown the password already, so saying the account is paused tells them nothing new.
        let result = try await AttemptThrottle(env: env).attempt(account, failure: .secondFactorFailed, info: info) {
            if isTOTP {
                guard let sealed = account.totpSecretSealed, let secret = try? openSecret(sealed, account: account.id) else { return false }
                step = TOTPVerifier.matchingStep(secret: secret, code: digits, at: now)
                if step == nil { return false }
            }
            outcome = try await finishSecondFactor(session: session, step: step, code: rawCode, info: info, at: now)
            return outcome != nil
        }
        switch result {
        case .passed: return outcome ?? .failed(Self.wrongCode)
        case .failed: return .failed(Self.wrongCode)
        case .locked(let until): return .locked(LockoutPolicy.message(lockedUntil: until, now: now))
        }
    }

    /// Uses the TOTP step or the recovery code and starts the signed-in session; nil when the step
    /// was already used or the recovery code is unknown.
    private func finishSecondFactor(session: ActiveSession, step: Int64?, code rawCode: String, info: RequestInfo, at now: Date) async throws -> SignInOutcome? {
        let account = session.account
        return try await env.database.write { sql -> SignInOutcome? in
            let accounts = AccountRepository(sql)
            if let step {
                guard try await accounts.claimTOTPStep(account.id, step: step) else { return nil }
            } else {
                let used = try await AccountTokenRepository(sql).consumeRecoveryCode(
                    account: account.id, hash: env.codeHash(rawCode), at: now)
                guard used else { return nil }
                try await env.audit.record(AuditEvent(.recoveryCodeUsed, info: info, actor: account), on: sql)
            }
            try await accounts.updateThrottle(account.id, failedAttempts: 0, lockouts: 0, lockedUntil: nil)
            try await SessionRepository(sql).revoke(idHash: session.idHash, at: now)
            let token = try await env.sessions.create(for: account.id, stage: .signedIn, info: info, on: sql)
            try await env.audit.record(AuditEvent(.signIn, info: info, actor: account), on: sql)
            return .signedIn(token, account)
        }
    }

    func openSecret(_ sealed: String, account: AccountID) throws -> String {
        guard let data = Data(base64Encoded: sealed) else { throw MasterKeyError.sealFailed }
        return String(decoding: try env.masterKey.open(data, context: "totp:\(account)"), as: UTF8.self)
    }
}
