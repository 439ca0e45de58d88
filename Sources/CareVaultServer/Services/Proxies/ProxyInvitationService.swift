import CareVaultCore
import CareVaultStore
import Foundation

/// The invited person's side of proxy access: finding an invitation by its link, signing up as a proxy
/// (an account with no record of its own), and accepting — after proving they are who the patient meant
/// (the invitation's short code or the patient's birth date) and agreeing to the terms, which are stored
/// word for word with the time.
struct ProxyInvitationService: Sendable {
    /// Wrong codes or birth dates an invitation takes before it stops working.
    static let confirmationAttempts = 5
    let env: AppEnvironment

    /// An invitation that can still be accepted, with the patient it is for.
    struct Open: Sendable {
        let grant: StoredProxyGrant
        let patient: Patient
        let codeHash: String?
    }

    /// The open invitation `token` names; nil for an unknown, used, withdrawn, expired or exhausted one.
    func find(_ token: String, at now: Date = Date()) async throws -> Open? {
        guard !token.isEmpty, token.count <= 100 else { return nil }
        return try await env.database.read { sql in
            guard let (grant, codeHash) = try await ProxyGrantRepository(sql).invitation(hash: SecretToken.hash(token)),
                  grant.grant.acceptedAt == nil, grant.grant.revokedAt == nil,
                  (grant.invitationExpiresAt.map { $0 > now } ?? false), grant.failedAttempts < Self.confirmationAttempts,
                  let patient = try await PatientRepository(sql).find(id: grant.patient)
            else { return nil }
            return Open(grant: grant, patient: patient, codeHash: codeHash)
        }
    }

    /// The terms the invited person is shown and agrees to.
    func terms(_ open: Open, proxyName: String) -> String {
        ProxyAgreement.text(proxyName: proxyName, patientName: open.patient.fullName, relationship: open.grant.grant.relationship,
                            scopes: open.grant.grant.scopes,
                            ends: open.grant.grant.expiresAt.map { PlainDate.day($0, in: env.configuration.timeZone) })
    }

    /// Creates the invited person's account (a proxy only, no record), with the address the invitation
    /// went to (following its link proves they read that mailbox).
    func createAccount(_ open: Open, name rawName: String, password: String, info: RequestInfo) async throws -> Account {
        var v = FieldValidator()
        let name = v.check { () throws(FieldError) in try Inputs.name(rawName, field: "name", label: "name") }
        v.check { () throws(FieldError) in try env.passwordPolicy.validate(password, context: [open.grant.proxyEmail, rawName]) }
        try v.finish()
        guard let name else { throw ValidationFailure([]) }
        let hash = try await env.hashPassword(password)
        let now = Date()
        let account = Account(email: open.grant.proxyEmail, displayName: name, role: .patient, organization: nil, patient: nil,
                              passwordHash: hash, emailVerifiedAt: now, createdAt: now)
        let created: Bool = try await env.database.write { sql in
            let accounts = AccountRepository(sql)
            guard try await accounts.find(email: account.email) == nil else { return false }
            try await accounts.insert(account)
            try await env.audit.record(AuditEvent(.accountRegistered, info: info, actor: account), on: sql)
            return true
        }
        guard created else {
            throw ValidationFailure([FieldError(field: "name", message: "There is already an account with \(account.email). Sign in with it to accept.")])
        }
        return account
    }

    /// Why an invitation was not accepted (besides a wrong code or birth date, which is a form error).
    enum Refusal: Error, Equatable {
        /// Unknown, used, withdrawn, expired, or too many wrong tries.
        case unusable
        /// Sent to another address than this account's.
        case otherAccount(sentTo: String)
        /// The patient cannot be their own proxy.
        case ownRecord
        /// A clinic account (staff, clinician, administrator) acts for the clinic, never as someone's proxy.
        case clinicAccount
    }

    /// Accepts `token`'s invitation for `account`, if the proof it asks for (the code, or the patient's
    /// birth date) is right and they agreed. Returns the patient whose record they may now open.
    func accept(_ token: String, account: Account, code: String, birthDate: String, agreed: Bool, info: RequestInfo) async throws -> Patient {
        let now = Date()
        guard let open = try await find(token, at: now) else { throw Refusal.unusable }
        let proof = open.grant.confirmation == .code ? code : birthDate
        guard account.email.lowercased() == open.grant.proxyEmail.lowercased() else { throw Refusal.otherAccount(sentTo: Self.masked(open.grant.proxyEmail)) }
        guard account.patient != open.patient.id else { throw Refusal.ownRecord }
        guard account.role == .patient else { throw Refusal.clinicAccount }
        let field = open.grant.confirmation == .code ? "code" : "birthDate"
        guard try proofMatches(open, proof) else {
            let count = try await env.database.write { sql in
                let count = try await ProxyGrantRepository(sql).countFailedConfirmation(id: open.grant.id)
                try await env.audit.record(AuditEvent(.proxyConfirmationFailed, info: info, actor: account, outcome: .failure, patient: open.patient.id,
                                                      resourceType: "ProxyGrant", resourceID: open.grant.id.description), on: sql)
                return count
            }
            if count >= Self.confirmationAttempts { throw Refusal.unusable }
            throw ValidationFailure([FieldError(field: field, message: open.grant.confirmation == .code
                ? "That code does not match. Check it with the person who gave it to you."
                : "That date of birth does not match. Check it with the person who invited you.")])
        }
        guard agreed else { throw ValidationFailure([FieldError(field: "agree", message: "Tick the box to agree to the terms, or close this page.")]) }
        let text = terms(open, proxyName: account.displayName)
        let accepted: Bool = try await env.database.write { sql in
            guard try await ProxyGrantRepository(sql).accept(id: open.grant.id, account: account.id, text: text, at: now) else { return false }
            try await env.audit.record(AuditEvent(.proxyAccepted, info: info, actor: account, patient: open.patient.id, resourceType: "ProxyGrant",
                                                  resourceID: open.grant.id.description, basis: Basis.grant(kind: .proxy, id: open.grant.id).description),
                                       on: sql)
            if let address = try await ProxyNotices.address(of: open.patient.id, on: sql) {
                try await env.mailer.queue(
                    to: address, subject: "\(account.displayName) accepted proxy access to your health record",
                    body: "\(account.displayName) accepted the proxy access you offered to \(open.grant.proxyName). They can now: "
                        + ProxyScope.allCases.filter(open.grant.grant.scopes.contains).map { $0.plainText.lowercased() }.joined(separator: "; ")
                        + ".\n\nSee everyone with access to your record, and change or end it, at \(env.link(Paths.proxies(open.patient.id.description))).",
                    on: sql)
            }
            return true
        }
        guard accepted else { throw Refusal.unusable }
        return open.patient
    }

    private func proofMatches(_ open: Open, _ proof: String) throws -> Bool {
        switch open.grant.confirmation {
        case .code:
            guard let stored = open.codeHash, !HumanCode.normalize(proof).isEmpty else { return false }
            return env.codeHash(proof) == stored
        case .birthDate:
            return (try? Inputs.birthDate(proof)) == open.patient.birthDate
        }
    }

    /// "a•••@example.com": enough for the person to recognize their address, not to learn someone's.
    static func masked(_ email: String) -> String {
        guard let at = email.firstIndex(of: "@"), let first = email.first else { return "another address" }
        return "\(first)•••\(email[at...])"
    }
}
