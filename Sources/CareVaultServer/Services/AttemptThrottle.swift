import CareVaultCore
import CareVaultStore
import Foundation

/// Every check of an account's password or code — signing in, the second step, changing the password,
/// turning off two-step sign-in, new recovery codes — goes through here, with one lock-out.
///
/// The attempt is counted before the secret is checked, atomically, so concurrent guesses cannot
/// all slip in under the threshold (twelve at once used to get ten real checks against a threshold
/// of five): each claims a number, and only numbers up to the threshold are checked at all. A
/// locked account gets the same work (`decoy`) and the caller the same answer as a wrong secret, so
/// the lock-out is no oracle; its owner is told by email.
struct AttemptThrottle {
    let env: AppEnvironment
    let policy = LockoutPolicy()

    enum Result {
        case passed
        case failed
        /// Locked now (by earlier failures or this one), until then.
        case locked(until: Date)
    }

    /// Claims an attempt, runs `check` when the account may be tried, and counts a failure (locking
    /// the account at the threshold). `decoy` spends the time a real check would when it may not.
    func attempt(_ account: Account, failure action: AuditAction, info: RequestInfo,
                 decoy: () async throws -> Void = {}, check: () async throws -> Bool) async throws -> Result {
        let now = Date()
        let claim = try await env.database.write { try await AccountRepository($0).claimAttempt(account.id, at: now) }
        guard let claim, claim.attempt <= LockoutPolicy.threshold else {
            try await decoy()
            let current = try await env.database.read { try await AccountRepository($0).find(id: account.id) }
            return .locked(until: current?.lockedUntil ?? now.addingTimeInterval(60))
        }
        if try await check() { return .passed }
        return try await env.database.write { sql in
            let accounts = AccountRepository(sql)
            try await env.audit.record(AuditEvent(action, info: info, outcome: .failure, patient: account.patient, subject: account.id), on: sql)
            guard claim.attempt >= LockoutPolicy.threshold else { return .failed }
            let locked = policy.locked(lockouts: claim.lockouts, at: now)
            try await accounts.updateThrottle(account.id, failedAttempts: locked.failedAttempts, lockouts: locked.lockouts, lockedUntil: locked.lockedUntil)
            try await env.audit.record(AuditEvent(.lockedOut, info: info, outcome: .denied, patient: account.patient, subject: account.id), on: sql)
            let until = locked.lockedUntil ?? now
            try await env.mailer.queue(
                to: account.email, subject: "Sign-in to your CareVault account is paused",
                body: "There were \(LockoutPolicy.threshold) wrong attempts in a row to use your password or a sign-in code. For your safety, sign-in is paused until \(PlainDate.instant(until, in: env.configuration.timeZone)).\n\nIf it was you, wait and try again, or reset your password at \(env.link("/password/forgot")). If it was not you, your password kept them out; you may want to change it.",
                on: sql)
            return .locked(until: until)
        }
    }

    /// A success that does not finish a sign-in takes its attempt back: failures before and after it still add up.
    func release(_ account: Account) async throws {
        try await env.database.write { try await AccountRepository($0).releaseAttempt(account.id) }
    }

    /// Checks the password of a signed-in person confirming a change, under the same lock-out as
    /// signing in. Throws a failure naming `field` when it is wrong or the account is paused.
    func confirmPassword(_ password: String, of account: Account, field: String, info: RequestInfo) async throws {
        let result = try await attempt(account, failure: .passwordCheckFailed, info: info, decoy: { try await env.verifyDecoyPassword(password) }) {
            try await env.verifyPassword(password, against: account.passwordHash)
        }
        switch result {
        case .passed:
            try await release(account)
        case .failed:
            throw ValidationFailure([FieldError(field: field, message: "That password is not right.")])
        case .locked(let until):
            throw ValidationFailure([FieldError(field: field, message: LockoutPolicy.message(lockedUntil: until, now: Date()))])
        }
    }
}
