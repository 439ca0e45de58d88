import CareVaultCore
import CareVaultStore
import Foundation

/// Gives, changes and ends proxy access to a patient's record, through the record's door: the record
/// must have been opened for ``Action/manageRecordAccess`` (the patient, a proxy allowed to manage others,
/// or the care team). Every change is audited in its transaction and the patient is emailed.
struct ProxyGrantService: Sendable {
    /// How long an invitation can be accepted.
    static let invitationLifetime: TimeInterval = 7 * 24 * 60 * 60
    let env: AppEnvironment

    /// What the person inviting asked for.
    struct Invitation: Sendable {
        var name = ""
        var email = ""
        var relationship = ProxyRelationship.caregiver
        var scopes: Set<ProxyScope> = ProxyScope.defaults
        /// For a grant the patient gives: how many months (at most the clinic's maximum).
        var months: Int?
        /// For a grant staff set up: the day it ends (nil: at the latest the law allows — a parent's at 18).
        var endsOn: BirthDate?
        var confirmation = ProxyConfirmation.code
        var document: ProxyDocument?
    }

    /// What was created: the grant, and the short code to give the proxy (when confirming by code), shown once.
    struct Created: Sendable {
        let grant: StoredProxyGrant
        let code: String?
    }

    /// Offers proxy access to `invitation`'s person and emails them the single-use link.
    func invite(_ invitation: Invitation, record: PatientRecord, by account: Account, info: RequestInfo) async throws -> Created {
        let now = Date()
        let rules = env.configuration.proxyRules, zone = env.configuration.timeZone
        var v = FieldValidator()
        let name = v.check { () throws(FieldError) in try Inputs.name(invitation.name, field: "name", label: "name") }
        let email = v.check { () throws(FieldError) in try Inputs.email(invitation.email) }
        if let email, email == account.email.lowercased() {
            v.add(FieldError(field: "email", message: "Enter the email address of the person you want to give access to, not your own."))
        }
        if invitation.scopes.isEmpty || !invitation.scopes.contains(where: \.isAvailable) {
            v.add(FieldError(field: "scopes", message: "Choose at least one thing this person may do (for example, see the record)."))
        }
        if let own = Self.delegatedScopes(record), !invitation.scopes.isSubset(of: own) {
            v.add(FieldError(field: "scopes", message: "You can only pass on what your own access allows."))
        }
        if invitation.relationship == .caregiver, !(1...rules.adultMaximumMonths).contains(invitation.months ?? 0) {
            v.add(FieldError(field: "months", message: "Choose how long the access lasts: 1 to \(rules.adultMaximumMonths) months."))
        }
        if invitation.relationship != .caregiver, invitation.document == nil {
            v.add(FieldError(field: "documentType", message: "Enter the document you checked (its type, reference and date)."))
        }
        if invitation.relationship == .parent, record.patient.birthDate.age(at: now, in: zone) >= rules.adultAge {
            v.add(FieldError(field: "relationship", message: "This patient is an adult: a parent's access is for children under \(rules.adultAge)."))
        }
        try v.finish()
        guard let name, let email else { throw ValidationFailure([]) }

        let expiresAt = expiry(invitation, patient: record.patient, from: now)
        let token = SecretToken.generate()
        let code = invitation.confirmation == .code ? HumanCode.generate(groups: 2, groupLength: 4).display : nil
        let stored = StoredProxyGrant(
            grant: ProxyGrant(patient: record.patient.id, relationship: invitation.relationship, scopes: invitation.scopes, acceptedAt: nil,
                              expiresAt: expiresAt),
            proxyName: name, proxyEmail: email, createdBy: account.id, createdAt: now,
            invitationExpiresAt: now.addingTimeInterval(Self.invitationLifetime), confirmation: invitation.confirmation,
            document: invitation.document)
        let patientName = record.patient.fullName, codeHash = code.map(env.codeHash)
        try await record.write { writer in
            try await writer.insert(proxyGrant: stored, invitationHash: token.storageHash, codeHash: codeHash)
            try await writer.audit([AuditEvent(.proxyInvited, info: info, actor: account, patient: writer.patient,
                                               resourceType: "ProxyGrant", resourceID: stored.id.description, basis: record.basis.description)])
            try await ProxyNotices(env: env).invitation(stored, patientName: patientName, token: token, with: writer)
        }
        return Created(grant: stored, code: code)
    }

    /// For a proxy who may manage others' access: the scopes of their own grant, which they cannot
    /// exceed for anyone else (nil for the patient and the care team).
    static func delegatedScopes(_ record: PatientRecord) -> Set<ProxyScope>? {
        guard case .delegate(_, let grant)? = record.actor, let proxy = grant.proxy else { return nil }
        return proxy.grant.scopes
    }

    /// The end of a new grant: the months the patient chose on the clinic's calendar; for staff-made
    /// grants the date they entered; a parent's never after the 18th birthday.
    func expiry(_ invitation: Invitation, patient: Patient, from now: Date) -> Date? {
        let rules = env.configuration.proxyRules, zone = env.configuration.timeZone
        var end: Date? = switch invitation.relationship {
        case .caregiver: ProxyGrant.end(months: invitation.months ?? rules.adultDefaultMonths, from: now, timeZone: zone)
        default: invitation.endsOn.map { $0.startOfDay(in: zone) }
        }
        if invitation.relationship == .parent {
            let adulthood = patient.birthDate.instant(turning: rules.adultAge, in: zone)
            end = min(end ?? adulthood, adulthood)
        }
        return end
    }

    /// Narrows or widens a grant's scopes and sets its end (`months` from now for an adult grant).
    func change(_ id: GrantID, scopes: Set<ProxyScope>, months: Int?, record: PatientRecord, by account: Account, info: RequestInfo) async throws {
        let rules = env.configuration.proxyRules
        var v = FieldValidator()
        if scopes.isEmpty || !scopes.contains(where: \.isAvailable) {
            v.add(FieldError(field: "scopes", message: "Choose at least one thing this person may do, or end their access instead."))
        }
        if let months, !(1...rules.adultMaximumMonths).contains(months) {
            v.add(FieldError(field: "months", message: "Choose how long the access lasts: 1 to \(rules.adultMaximumMonths) months."))
        }
        if let own = Self.delegatedScopes(record), !scopes.isSubset(of: own) {
            v.add(FieldError(field: "scopes", message: "You can only pass on what your own access allows."))
        }
        if months != nil, !record.isOwn {
            v.add(FieldError(field: "months", message: "Only the patient sets how long someone's access lasts."))
        }
        try v.finish()
        let now = Date()
        try await record.write { writer in
            guard let stored = try await writer.proxyGrant(id: id), stored.grant.revokedAt == nil else { throw ProxyGrantError.notFound }
            var expiresAt = stored.grant.expiresAt
            if let months, stored.grant.relationship == .caregiver {
                expiresAt = ProxyGrant.end(months: months, from: now, timeZone: env.configuration.timeZone)
            }
            guard try await writer.change(proxyGrant: id, scopes: scopes, expiresAt: expiresAt) else { throw ProxyGrantError.notFound }
            try await writer.audit([AuditEvent(.proxyChanged, info: info, actor: account, patient: writer.patient, resourceType: "ProxyGrant",
                                               resourceID: id.description, basis: record.basis.description)])
            let allowed = ProxyScope.allCases.filter(scopes.contains).map { $0.plainText.lowercased() }.joined(separator: "; ")
            try await ProxyNotices(env: env).toPatient(
                subject: "Proxy access to your health record was changed",
                body: "\(account.displayName) changed \(stored.proxyName)'s proxy access to your record. It now allows: \(allowed)."
                    + (expiresAt.map { " It ends on \(PlainDate.day($0, in: env.configuration.timeZone))." } ?? ""),
                with: writer)
        }
    }

    /// Renews an adult grant for the clinic's default length from today (the patient's one click).
    func renew(_ id: GrantID, record: PatientRecord, by account: Account, info: RequestInfo) async throws {
        guard record.isOwn else { throw ProxyGrantError.notFound }
        let stored = try await record.read { try await $0.proxyGrants().first { $0.id == id } }
        guard let stored else { throw ProxyGrantError.notFound }
        try await change(id, scopes: stored.grant.scopes, months: env.configuration.proxyRules.adultDefaultMonths, record: record, by: account,
                         info: info)
    }

    /// Ends a grant at once (or withdraws an invitation): the proxy's next request for this record is refused.
    func revoke(_ id: GrantID, record: PatientRecord, by account: Account, info: RequestInfo) async throws {
        let now = Date()
        try await record.write { writer in
            guard let stored = try await writer.proxyGrant(id: id), try await writer.revoke(proxyGrant: id, by: account.id, at: now) else {
                throw ProxyGrantError.notFound
            }
            try await writer.audit([AuditEvent(.proxyRevoked, info: info, actor: account, patient: writer.patient, resourceType: "ProxyGrant",
                                               resourceID: id.description, basis: record.basis.description)])
            try await ProxyNotices(env: env).toPatient(
                subject: "Proxy access to your health record was ended",
                body: "\(account.displayName) ended \(stored.proxyName)'s proxy access to your record.", with: writer)
        }
    }
}

extension ProxyGrantService {
    /// The proxy gives up a grant they hold; the patient is told. False if they hold no such grant in force.
    func giveUp(_ id: GrantID, by account: Account, info: RequestInfo) async throws -> Bool {
        let now = Date()
        return try await env.database.write { sql in
            let grants = ProxyGrantRepository(sql)
            guard let stored = try await grants.find(id: id, heldBy: account.id), try await grants.giveUp(id: id, account: account.id, at: now)
            else { return false }
            try await env.audit.record(AuditEvent(.proxyRevoked, info: info, actor: account, patient: stored.patient, resourceType: "ProxyGrant",
                                                  resourceID: id.description, basis: Basis.grant(kind: .proxy, id: id).description), on: sql)
            if let address = try await ProxyNotices.address(of: stored.patient, on: sql) {
                try await env.mailer.queue(to: address, subject: "\(account.displayName) gave up proxy access to your health record",
                                           body: "\(account.displayName) gave up the proxy access you gave them. They can no longer open your record.",
                                           on: sql)
            }
            return true
        }
    }
}

extension ProxyGrantService {
    /// How long a widening lasts before a clinician reviews it with the adolescent again.
    static let wideningReview: TimeInterval = 365 * 24 * 60 * 60

    /// A clinician widens a parent's access for one adolescent beyond the adolescent set (the
    /// confidential kinds of care stay hidden), recording what the adolescent agreed to; it lapses
    /// after a year unless reviewed and widened again.
    func widen(_ id: GrantID, agreement rawAgreement: String, agreed: Bool, record: PatientRecord, by account: Account, info: RequestInfo) async throws {
        guard case .careTeam(.clinician, _) = record.basis else { throw ProxyGrantError.notFound }
        let agreement = rawAgreement.trimmingCharacters(in: .whitespacesAndNewlines)
        var errors: [FieldError] = []
        if agreement.isEmpty || agreement.count > 1000 {
            errors.append(FieldError(field: "agreement-\(id)", message: "Write down what the young person agreed to (at most 1,000 characters)."))
        }
        if !agreed { errors.append(FieldError(field: "agreed-\(id)", message: "Tick the box to confirm the young person agreed, with you, today.")) }
        guard errors.isEmpty else { throw ValidationFailure(errors) }
        let until = Date().addingTimeInterval(Self.wideningReview)
        try await record.write { writer in
            guard let stored = try await writer.proxyGrant(id: id),
                  try await writer.widen(proxyGrant: id, until: until, by: account.id, agreement: agreement) else { throw ProxyGrantError.notFound }
            try await writer.audit([AuditEvent(.proxyChanged, info: info, actor: account, patient: writer.patient, resourceType: "ProxyGrant",
                                               resourceID: id.description, basis: record.basis.description)])
            try await ProxyNotices(env: env).toPatient(
                subject: "\(stored.proxyName)'s access to your health record was widened, as you agreed",
                body: "\(account.displayName) widened \(stored.proxyName)'s access to your record, as you agreed: \(agreement)\n\nIt lasts until \(PlainDate.day(until, in: env.configuration.timeZone)); the kinds of care kept private stay private. Ask your care team to narrow it again at any time.",
                with: writer)
        }
    }
}

/// Why a grant could not be changed.
enum ProxyGrantError: Error {
    /// No such grant of this record, or it has already ended.
    case notFound
}
