import CareVaultCore
import Foundation
import SQLKit

/// Proxy grants (`proxy_grants`). What concerns one patient's grants as the patient manages them is
/// reached through ``PatientRecordWriter`` and ``PatientRecordReader``; this repository also answers
/// what a proxy holds (the record's door, the switcher) and finds an invitation by its token's hash.
public struct ProxyGrantRepository: Sendable {
    private let sql: any SQLDatabase

    public init(_ sql: any SQLDatabase) { self.sql = sql }

    /// Stores a new grant with its invitation's token hash and (for confirmation by code) the code's keyed hash.
    func insert(_ stored: StoredProxyGrant, invitationHash: String?, codeHash: String?) async throws {
        let g = stored.grant
        try await sql.raw("""
            INSERT INTO proxy_grants (id, patient_id, proxy_account_id, proxy_name, proxy_email, relationship, scopes, created_by, created_at,
                invitation_hash, invitation_expires_at, confirm_with, code_hash, accepted_at, accepted_text, expires_at,
                document_type, document_reference, document_date)
            VALUES (\(bind: g.id.description), \(bind: g.patient.description), \(bind: stored.proxyAccount?.description), \(bind: stored.proxyName),
                \(bind: stored.proxyEmail), \(bind: g.relationship.rawValue), \(bind: Self.text(g.scopes)), \(bind: stored.createdBy?.description),
                \(bind: stored.createdAt.ms), \(bind: invitationHash), \(bind: stored.invitationExpiresAt?.ms), \(bind: stored.confirmation.rawValue),
                \(bind: codeHash), \(bind: g.acceptedAt?.ms), \(bind: stored.acceptedText), \(bind: g.expiresAt?.ms),
                \(bind: stored.document?.type), \(bind: stored.document?.reference), \(bind: stored.document?.date))
            """).run()
    }

    /// One patient's grants, newest first (every state: the patient sees ended ones too).
    func all(patient: PatientID) async throws -> [StoredProxyGrant] {
        try await sql.raw("SELECT * FROM proxy_grants WHERE patient_id = \(bind: patient.description) ORDER BY created_at DESC, id")
            .all().map(Self.grant)
    }

    /// One grant of one patient.
    func find(id: GrantID, patient: PatientID) async throws -> StoredProxyGrant? {
        try await sql.raw("SELECT * FROM proxy_grants WHERE id = \(bind: id.description) AND patient_id = \(bind: patient.description)")
            .first().map(Self.grant)
    }

    /// One grant held by `account`.
    public func find(id: GrantID, heldBy account: AccountID) async throws -> StoredProxyGrant? {
        try await sql.raw("SELECT * FROM proxy_grants WHERE id = \(bind: id.description) AND proxy_account_id = \(bind: account.description)")
            .first().map(Self.grant)
    }

    /// The grant that decides whether `account` may open `patient`'s record: of those it accepted, one in
    /// force before one revoked, the newest first. Nil: they never held one.
    public func deciding(account: AccountID, patient: PatientID) async throws -> StoredProxyGrant? {
        try await sql.raw("""
            SELECT * FROM proxy_grants WHERE proxy_account_id = \(bind: account.description) AND patient_id = \(bind: patient.description)
            AND accepted_at IS NOT NULL
            ORDER BY CASE WHEN revoked_at IS NULL THEN 0 ELSE 1 END, created_at DESC LIMIT 1
            """).first().map(Self.grant)
    }

    /// Every grant `account` accepted and nobody revoked, with its patient's name: the records this
    /// person may open (the caller still judges expiry and age).
    public func held(by account: AccountID) async throws -> [HeldProxyGrant] {
        try await sql.raw("""
            SELECT g.*, p.given_name, p.family_name, p.birth_date, p.organization_id FROM proxy_grants g JOIN patients p ON p.id = g.patient_id
            WHERE g.proxy_account_id = \(bind: account.description) AND g.accepted_at IS NOT NULL AND g.revoked_at IS NULL
            ORDER BY p.given_name, p.family_name, g.id
            """).all().map { row in
            guard let birthDate = BirthDate(try row.string("birth_date")) else { throw DatabaseError.unexpectedResult("bad birth date") }
            return HeldProxyGrant(stored: try Self.grant(row), patientName: "\(try row.string("given_name")) \(try row.string("family_name"))",
                                  patientBirthDate: birthDate, organization: try row.id("organization_id"))
        }
    }

    /// The grant an invitation offers, by its token's hash, whatever its state (the caller says why it
    /// cannot be accepted).
    public func invitation(hash: String) async throws -> (StoredProxyGrant, codeHash: String?)? {
        guard let row = try await sql.raw("SELECT * FROM proxy_grants WHERE invitation_hash = \(bind: hash)").first() else { return nil }
        return (try Self.grant(row), try row.optionalString("code_hash"))
    }

    /// Counts a wrong code or birth date against an invitation; returns the count now.
    public func countFailedConfirmation(id: GrantID) async throws -> Int {
        try await sql.raw("""
            UPDATE proxy_grants SET failed_attempts = failed_attempts + 1 WHERE id = \(bind: id.description) RETURNING failed_attempts
            """).first().map { try $0.int("failed_attempts") } ?? 0
    }

    /// Accepts an invitation for `account`, once: only while it is open (not accepted, not revoked, not
    /// expired). Returns whether it was.
    public func accept(id: GrantID, account: AccountID, text: String, at now: Date) async throws -> Bool {
        try await sql.raw("""
            UPDATE proxy_grants SET proxy_account_id = \(bind: account.description), accepted_at = \(bind: now.ms), accepted_text = \(bind: text)
            WHERE id = \(bind: id.description) AND accepted_at IS NULL AND revoked_at IS NULL AND invitation_expires_at > \(bind: now.ms)
            RETURNING id
            """).first() != nil
    }

    /// The proxy gives a grant up. Returns whether it was in force.
    public func giveUp(id: GrantID, account: AccountID, at now: Date) async throws -> Bool {
        try await sql.raw("""
            UPDATE proxy_grants SET revoked_at = \(bind: now.ms), revoked_by = \(bind: account.description)
            WHERE id = \(bind: id.description) AND proxy_account_id = \(bind: account.description) AND revoked_at IS NULL RETURNING id
            """).first() != nil
    }

    /// Ends one patient's grant now. Returns whether it was in force (or waiting).
    func revoke(id: GrantID, patient: PatientID, by account: AccountID?, at now: Date) async throws -> Bool {
        try await sql.raw("""
            UPDATE proxy_grants SET revoked_at = \(bind: now.ms), revoked_by = \(bind: account?.description)
            WHERE id = \(bind: id.description) AND patient_id = \(bind: patient.description) AND revoked_at IS NULL RETURNING id
            """).first() != nil
    }

    /// Changes one patient's grant's scopes and end. Returns whether a grant not revoked was changed.
    func change(id: GrantID, patient: PatientID, scopes: Set<ProxyScope>, expiresAt: Date?) async throws -> Bool {
        try await sql.raw("""
            UPDATE proxy_grants SET scopes = \(bind: Self.text(scopes)), expires_at = \(bind: expiresAt?.ms), reminded_at = NULL
            WHERE id = \(bind: id.description) AND patient_id = \(bind: patient.description) AND revoked_at IS NULL RETURNING id
            """).first() != nil
    }

    /// Notes that the proxy used the grant now; true the first time (so the patient is told once).
    /// Written at most once a minute per grant.
    public func noteUse(id: GrantID, at now: Date) async throws -> Bool {
        guard let row = try await sql.raw("SELECT last_used_at FROM proxy_grants WHERE id = \(bind: id.description)").first() else { return false }
        let before = try row.optionalDate("last_used_at")
        guard before.map({ $0.ms < now.ms - 60_000 }) ?? true else { return false }
        try await sql.raw("UPDATE proxy_grants SET last_used_at = \(bind: now.ms) WHERE id = \(bind: id.description)").run()
        return before == nil
    }

    /// Grants in force that end before `cutoff` (and after `now`) whose patient has not been reminded yet.
    public func dueForReminder(endingBefore cutoff: Date, at now: Date, limit: Int) async throws -> [StoredProxyGrant] {
        try await sql.raw("""
            SELECT * FROM proxy_grants WHERE accepted_at IS NOT NULL AND revoked_at IS NULL AND reminded_at IS NULL
            AND expires_at > \(bind: now.ms) AND expires_at <= \(bind: cutoff.ms) ORDER BY expires_at LIMIT \(bind: limit)
            """).all().map(Self.grant)
    }

    /// Notes that the patient was reminded of this grant's end (renewing clears it).
    public func markReminded(id: GrantID, at now: Date) async throws {
        try await sql.raw("UPDATE proxy_grants SET reminded_at = \(bind: now.ms) WHERE id = \(bind: id.description)").run()
    }

    /// Widens a parent's grant of one patient until `until`, recording who and the adolescent's agreement.
    func widen(id: GrantID, patient: PatientID, until: Date, by account: AccountID, agreement: String) async throws -> Bool {
        try await sql.raw("""
            UPDATE proxy_grants SET widened_until = \(bind: until.ms), widened_by = \(bind: account.description), widening_agreement = \(bind: agreement)
            WHERE id = \(bind: id.description) AND patient_id = \(bind: patient.description) AND relationship = 'parent' AND revoked_at IS NULL
            RETURNING id
            """).first() != nil
    }

    /// Parents' grants nobody revoked whose patient's coming of age nobody was told of yet, with the
    /// patient's birth date (the caller decides who is 18 on the clinic's calendar).
    public func parentGrantsNotToldOfComingOfAge(bornOnOrBefore day: String, limit: Int) async throws -> [(StoredProxyGrant, BirthDate)] {
        try await sql.raw("""
            SELECT g.*, p.birth_date FROM proxy_grants g JOIN patients p ON p.id = g.patient_id
            WHERE g.relationship = 'parent' AND g.accepted_at IS NOT NULL AND g.revoked_at IS NULL AND g.came_of_age_notified_at IS NULL
            AND p.birth_date <= \(bind: day) ORDER BY p.birth_date LIMIT \(bind: limit)
            """).all().map { row in
            guard let born = BirthDate(try row.string("birth_date")) else { throw DatabaseError.unexpectedResult("bad birth date") }
            return (try Self.grant(row), born)
        }
    }

    public func markComingOfAgeNotified(id: GrantID, at now: Date) async throws {
        try await sql.raw("UPDATE proxy_grants SET came_of_age_notified_at = \(bind: now.ms) WHERE id = \(bind: id.description)").run()
    }

    static func text(_ scopes: Set<ProxyScope>) -> String { scopes.map(\.rawValue).sorted().joined(separator: " ") }

    static func grant(_ row: any SQLRow) throws -> StoredProxyGrant {
        let scopes = Set(try row.string("scopes").split(separator: " ").compactMap { ProxyScope(rawValue: String($0)) })
        guard let relationship = ProxyRelationship(rawValue: try row.string("relationship")),
              let confirmation = ProxyConfirmation(rawValue: try row.string("confirm_with"))
        else { throw DatabaseError.unexpectedResult("bad proxy grant") }
        let document: ProxyDocument? = try row.optionalString("document_type").map {
            ProxyDocument(type: $0, reference: try row.optionalString("document_reference") ?? "", date: try row.optionalString("document_date") ?? "")
        }
        var stored = StoredProxyGrant(
            grant: ProxyGrant(id: try row.id("id"), patient: try row.id("patient_id"), relationship: relationship, scopes: scopes,
                              acceptedAt: try row.optionalDate("accepted_at"), expiresAt: try row.optionalDate("expires_at"),
                              revokedAt: try row.optionalDate("revoked_at"), widenedUntil: try row.optionalDate("widened_until")),
            proxyAccount: try row.optionalID("proxy_account_id"), proxyName: try row.string("proxy_name"), proxyEmail: try row.string("proxy_email"),
            createdBy: try row.optionalID("created_by"), createdAt: try row.date("created_at"),
            invitationExpiresAt: try row.optionalDate("invitation_expires_at"), confirmation: confirmation,
            failedAttempts: try row.int("failed_attempts"), acceptedText: try row.optionalString("accepted_text"),
            revokedBy: try row.optionalID("revoked_by"), lastUsedAt: try row.optionalDate("last_used_at"), document: document)
        stored.widenedBy = try row.optionalID("widened_by")
        stored.wideningAgreement = try row.optionalString("widening_agreement")
        return stored
    }
}
