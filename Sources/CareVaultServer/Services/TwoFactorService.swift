import CareVaultCore
import CareVaultStore
import Foundation

/// Enrolment in, and removal of, TOTP two-step sign-in, and recovery codes.
public struct TwoFactorService: Sendable {
    public static let recoveryCodeCount = 10

    /// What the enrolment page shows.
    public struct Enrolment: Sendable {
        public let provisioningURI: String
        public let manualKey: String
    }

    let env: AppEnvironment

    public init(env: AppEnvironment) { self.env = env }

    /// Starts (or resumes) enrolment: a secret is kept, sealed, until a first code confirms it.
    public func begin(for account: Account) async throws -> Enrolment {
        var secret: String?
        if let pending = account.totpPendingSealed {
            secret = try? open(pending, account: account.id)
        }
        if secret == nil {
            let fresh = TOTPVerifier.newSecret()
            let sealed = try seal(fresh, account: account.id)
            try await env.database.write { try await AccountRepository($0).setPendingTOTP(account.id, sealed: sealed, at: Date()) }
            secret = fresh
        }
        let value = secret!
        return Enrolment(
            provisioningURI: TOTPVerifier.provisioningURI(secret: value, accountName: account.email, issuer: AppEnvironment.productName),
            manualKey: TOTPVerifier.manualEntryKey(secret: value)
        )
    }

    /// Confirms enrolment with a first code; returns the recovery codes, shown this once only.
    public func confirm(for account: Account, code rawCode: String, info: RequestInfo) async throws -> [HumanCode] {
        let code: String
        do { code = try Inputs.oneTimeCode(rawCode) } catch { throw ValidationFailure([error]) }
        guard let pending = account.totpPendingSealed, let secret = try? open(pending, account: account.id) else {
            throw ValidationFailure([FieldError(field: "code", message: "Start again: scan the new code below with your app.")])
        }
        guard let step = TOTPVerifier.matchingStep(secret: secret, code: code) else {
            throw ValidationFailure([FieldError(field: "code", message: "That code is not right. Check the time on your phone is set automatically, then enter the newest code.")])
        }
        let codes = (0..<Self.recoveryCodeCount).map { _ in HumanCode.recoveryCode() }
        try await env.database.write { sql in
            try await AccountRepository(sql).enableTOTP(account.id, sealed: try seal(secret, account: account.id), step: step, at: Date())
            try await AccountTokenRepository(sql).replaceRecoveryCodes(account: account.id, hashes: codes.map { env.codeHash($0.display) }, at: Date())
            try await env.audit.record(AuditEvent(.secondFactorEnrolled, info: info, actor: account), on: sql)
        }
        return codes
    }

    /// Turns two-step sign-in off (patients only; staff must keep it), after checking the password.
    public func disable(for account: Account, password: String, info: RequestInfo) async throws {
        guard !account.role.requiresSecondFactor else {
            throw ValidationFailure([FieldError(field: "password", message: "Staff accounts must keep two-step sign-in on.")])
        }
        try await AttemptThrottle(env: env).confirmPassword(password, of: account, field: "password", info: info)
        try await env.database.write { sql in
            try await AccountRepository(sql).disableTOTP(account.id, at: Date())
            try await AccountTokenRepository(sql).replaceRecoveryCodes(account: account.id, hashes: [], at: Date())
            try await env.audit.record(AuditEvent(.secondFactorDisabled, info: info, actor: account), on: sql)
        }
    }

    /// Replaces all recovery codes after checking the password.
    public func regenerateRecoveryCodes(for account: Account, password: String, info: RequestInfo) async throws -> [HumanCode] {
        guard account.hasSecondFactor else {
            throw ValidationFailure([FieldError(field: "password", message: "Turn on two-step sign-in first.")])
        }
        try await AttemptThrottle(env: env).confirmPassword(password, of: account, field: "password", info: info)
        let codes = (0..<Self.recoveryCodeCount).map { _ in HumanCode.recoveryCode() }
        try await env.database.write { sql in
            try await AccountTokenRepository(sql).replaceRecoveryCodes(account: account.id, hashes: codes.map { env.codeHash($0.display) }, at: Date())
            try await env.audit.record(AuditEvent(.recoveryCodesRegenerated, info: info, actor: account), on: sql)
        }
        return codes
    }

    private func seal(_ secret: String, account: AccountID) throws -> String {
        try env.masterKey.seal(Data(secret.utf8), context: "totp:\(account)").base64EncodedString()
    }

    private func open(_ sealed: String, account: AccountID) throws -> String {
        guard let data = Data(base64Encoded: sealed) else { throw MasterKeyError.sealFailed }
        return String(decoding: try env.masterKey.open(data, context: "totp:\(account)"), as: UTF8.self)
    }
}
