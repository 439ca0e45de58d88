import CareVaultCore
import CareVaultStore
import Foundation

/// The recipient's side of a share: finding it by its link, proving they were meant to have it (the
/// access code, and the patient's birth date if the patient asked for it), and the short session that
/// follows. Wrong tries count over the share's whole life — in one statement, so parallel tries count
/// too — and the fifth locks it and tells the patient.
struct ShareOpeningService: Sendable {
    let env: AppEnvironment

    /// Why a share does not open.
    enum Refusal: Error, Equatable {
        /// No share has this link.
        case unknown
        /// It has ended (revoked, expired, locked, or a once-only share already opened).
        case ended(ShareLink.EndReason)
    }

    /// The share `token` names, if it can still be opened.
    func find(token: String, at now: Date = Date()) async throws -> StoredShareLink {
        guard !token.isEmpty, token.count <= 100 else { throw Refusal.unknown }
        guard let (stored, _) = try await env.database.read({ try await ShareLinkRepository($0).find(tokenHash: ShareSecrets.tokenHash(token, env: env)) })
        else { throw Refusal.unknown }
        if let reason = stored.share.ended(at: now) { throw Refusal.ended(reason) }
        guard try await sharerMayStillShare(stored, at: now) else { throw Refusal.ended(.sharerLostAccess) }
        return stored
    }

    /// Whether whoever made the share may still share this record: the patient always; a proxy only
    /// while their grant (judged afresh, with the clinic's rules and the patient's age) allows it — a
    /// share never outlives the access of the proxy who made it.
    func sharerMayStillShare(_ stored: StoredShareLink, at now: Date) async throws -> Bool {
        guard let creator = stored.createdBy else { return false }
        let (defaults, zone) = (env.configuration.proxyRules, env.configuration.timeZone)
        return try await env.database.read { sql in
            guard let account = try await AccountRepository(sql).find(id: creator), let patient = try await PatientRepository(sql).find(id: stored.share.patient)
            else { return false }
            if account.patient == patient.id { return true }
            guard let grant = try await ProxyGrantRepository(sql).deciding(account: creator, patient: patient.id) else { return false }
            let rules = try await SettingsRepository(sql).proxyRules(over: defaults)
            let actor = Actor.delegate(account: creator, grant: AccessGrant(proxy: grant.grant, rules: rules, timeZone: zone))
            return AuthorizationPolicy.decide(actor, .shareRecord, patient: patient.scope, at: now).isPermitted
        }
    }

    /// A wrong code (or birth date): how many tries are left, and the form's errors.
    struct WrongProof: Error {
        let remaining: Int
        let failure: ValidationFailure
    }

    /// A new reading session of a share, once its proof was accepted: the cookie's value (shown once) and the share.
    struct Opened: Sendable {
        let sessionToken: String
        let share: ShareLink
    }

    /// Opens `token`'s share with `code` (and `birthDate` if it asks for one). A wrong proof counts
    /// against the share and is a form error saying how many tries are left.
    func open(token: String, code: String, birthDate: String, info: RequestInfo) async throws -> Opened {
        let now = Date()
        guard !token.isEmpty, token.count <= 100,
              let (stored, codeHash) = try await env.database.read({ try await ShareLinkRepository($0).find(tokenHash: ShareSecrets.tokenHash(token, env: env)) })
        else { throw Refusal.unknown }
        let share: ShareLink
        do {
            share = try await prove(stored, codeHash: codeHash, code: code, birthDate: birthDate, info: info, at: now)
        } catch let wrong as WrongProof {
            throw wrong.failure
        }
        let session = SecretToken.generate()
        let end = min(now.addingTimeInterval(TimeInterval(ShareLink.sessionMinutes * 60)), share.expiresAt)
        try await env.database.write { sql in
            try await ShareLinkRepository(sql).insertSession(idHash: ShareSecrets.sessionHash(session.value, env: env), share: share.id, at: now, until: end)
        }
        return Opened(sessionToken: session.value, share: share)
    }

    /// Checks the proof of a share found by its link or manifest, counts the opening (refused when the
    /// share ended meanwhile, or a once-only share was opened by a parallel request), and audits it.
    func prove(_ stored: StoredShareLink, codeHash: String, code: String, birthDate: String, info: RequestInfo, at now: Date) async throws -> ShareLink {
        let share = stored.share
        if let reason = share.ended(at: now) { throw Refusal.ended(reason) }
        guard try await sharerMayStillShare(stored, at: now) else { throw Refusal.ended(.sharerLostAccess) }
        // An empty form is a mistake, not a guess: it is named and does not count against the share.
        var missing: [FieldError] = []
        if HumanCode.normalize(code).isEmpty { missing.append(FieldError(field: "code", message: "Enter the access code you were given.")) }
        if share.asksBirthDate && birthDate.trimmingCharacters(in: .whitespaces).isEmpty {
            missing.append(FieldError(field: "birthDate", message: "Enter the patient's date of birth."))
        }
        if !missing.isEmpty {
            throw WrongProof(remaining: max(ShareLink.attemptLimit - stored.failedAttempts, 0), failure: ValidationFailure(missing))
        }
        var errors: [FieldError] = []
        if !constantTimeEquals(env.codeHash(code), codeHash) {
            errors.append(FieldError(field: "code", message: "That code does not match. Check it with the person who shared this with you."))
        }
        if share.asksBirthDate {
            let patient = try await env.database.read { try await PatientRepository($0).find(id: share.patient) }
            if (try? Inputs.birthDate(birthDate)) != patient?.birthDate {
                errors.append(FieldError(field: "birthDate", message: "That date of birth does not match the patient's."))
            }
        }
        let basis = Basis.grant(kind: .shareLink, id: share.id).description
        guard errors.isEmpty else {
            let (count, lockedNow) = try await env.database.write { sql in
                let result = try await ShareLinkRepository(sql).countFailedAttempt(id: share.id, limit: ShareLink.attemptLimit, at: now)
                try await env.audit.record(AuditEvent(.shareCodeFailed, info: info, outcome: .failure, patient: share.patient, resourceType: "ShareLink",
                                                      resourceID: share.id.description, basis: basis), on: sql)
                if result.lockedNow {
                    try await env.audit.record(AuditEvent(.shareLocked, info: info, outcome: .failure, patient: share.patient, resourceType: "ShareLink",
                                                          resourceID: share.id.description, basis: basis), on: sql)
                    if let address = try await ProxyNotices.address(of: share.patient, on: sql) {
                        try await env.mailer.queue(
                            to: address, subject: "A share of your health record was locked",
                            body: "Someone entered a wrong code \(ShareLink.attemptLimit) times for your share “\(share.label)”, so it no longer opens. "
                                + "If it was the person you shared with, make a new share for them.\n\nSee your shares at \(env.link(Paths.shares(share.patient.description))).",
                            on: sql)
                    }
                }
                return result
            }
            if lockedNow || count >= ShareLink.attemptLimit { throw Refusal.ended(.locked) }
            let left = ShareLink.attemptLimit - count
            throw WrongProof(remaining: left, failure: ValidationFailure(errors.map {
                FieldError(field: $0.field, message: $0.message + " \(left == 1 ? "1 try is" : "\(left) tries are") left before the share locks.")
            }))
        }
        let opened: Bool = try await env.database.write { sql in
            guard try await ShareLinkRepository(sql).open(id: share.id, at: now) else { return false }
            try await env.audit.record(AuditEvent(.shareOpened, info: info, patient: share.patient, resourceType: "ShareLink",
                                                  resourceID: share.id.description, basis: basis), on: sql)
            return true
        }
        guard opened else {
            let current = try await env.database.read { try await ShareLinkRepository($0).find(id: share.id) }
            throw Refusal.ended(current?.share.ended(at: now) ?? .used)
        }
        return share
    }

    /// The share a SMART Health Link's manifest id names, whatever its state, with its code's keyed hash.
    func find(manifestID: String) async throws -> (StoredShareLink, codeHash: String)? {
        guard !manifestID.isEmpty, manifestID.count <= 100 else { return nil }
        return try await env.database.read { try await ShareLinkRepository($0).find(manifestHash: ShareSecrets.manifestHash(manifestID, env: env)) }
    }

    /// One share by id, whatever its state (a SMART Health Link's file ticket names it).
    func find(id: GrantID) async throws -> StoredShareLink? {
        try await env.database.read { try await ShareLinkRepository($0).find(id: id) }
    }

    /// The share a recipient's session cookie names, while the session lasts (ended shares too: the
    /// caller says so instead of showing anything).
    func session(_ cookie: String?, at now: Date = Date()) async throws -> StoredShareLink? {
        guard let cookie, !cookie.isEmpty, cookie.count <= 100 else { return nil }
        return try await env.database.read { try await ShareLinkRepository($0).session(idHash: ShareSecrets.sessionHash(cookie, env: env), at: now) }
    }

    /// Why reading under `stored` is over at `now` (revoked, expired, locked, or its maker lost their access), or nil.
    func readingEnded(_ stored: StoredShareLink, at now: Date = Date()) async throws -> ShareLink.EndReason? {
        if let reason = stored.share.grantEnded(at: now) { return reason }
        return try await sharerMayStillShare(stored, at: now) ? nil : .sharerLostAccess
    }

    /// Deletes recipients' sessions that ended (housekeeping).
    func purgeEndedSessions(at now: Date) async throws {
        try await env.database.write { try await ShareLinkRepository($0).deleteEndedSessions(at: now) }
    }

    /// Ends a recipient's session.
    func leave(_ cookie: String?) async throws {
        guard let cookie, !cookie.isEmpty, cookie.count <= 100 else { return }
        try await env.database.write { try await ShareLinkRepository($0).deleteSession(idHash: ShareSecrets.sessionHash(cookie, env: env)) }
    }
}
