import CareVaultCore
import Foundation
import SQLKit

/// A sign-up by identity (name, birth date, patient ID) waiting for proof that the person holds the record.
public struct RegistrationRequest: Sendable, Equatable {
    public enum Kind: String, Sendable {
        /// A link was mailed to an address already on file; following it creates the account.
        case emailLink = "email-link"
        /// No address on file: staff check the person's identity, then issue an activation code.
        case identityCheck = "identity-check"
    }

    public enum Status: String, Sendable {
        case pending
        /// The link was followed and the account created.
        case confirmed
        /// A new activation code was issued, or the patient activated their record another way.
        case void
        /// Staff checked and found it was not the patient (or could not reach them).
        case dismissed
    }

    public let id: String
    public let patient: PatientID
    public let kind: Kind
    public let status: Status
    /// The address typed at sign-up (for an identity check: unverified, shown to staff as such).
    public let email: String
    public let passwordHash: String?
    public let createdAt: Date
    public let expiresAt: Date

    public init(id: String = UUID().uuidString.lowercased(), patient: PatientID, kind: Kind, status: Status = .pending, email: String,
                passwordHash: String?, createdAt: Date, expiresAt: Date) {
        self.id = id
        self.patient = patient
        self.kind = kind
        self.status = status
        self.email = email
        self.passwordHash = passwordHash
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}

/// A pending identity check, with the record it names, for the staff queue.
public struct IdentityCheck: Sendable {
    public let request: RegistrationRequest
    public let patient: Patient
}

/// Reads and writes `registration_requests`.
public struct RegistrationRequestRepository: Sendable {
    private let sql: any SQLDatabase

    public init(_ sql: any SQLDatabase) { self.sql = sql }

    public func insert(_ r: RegistrationRequest, tokenHash: String?) async throws {
        try await sql.raw("""
            INSERT INTO registration_requests (id, patient_id, kind, status, email, password_hash, token_hash, created_at, expires_at)
            VALUES (\(bind: r.id), \(bind: r.patient.description), \(bind: r.kind.rawValue), \(bind: r.status.rawValue), \(bind: r.email),
                \(bind: r.passwordHash), \(bind: tokenHash), \(bind: r.createdAt.ms), \(bind: r.expiresAt.ms))
            """).run()
    }

    /// Marks the pending email-link request with this token confirmed and returns it; nil when the
    /// token is unknown, used, voided or expired.
    public func confirm(tokenHash: String, at now: Date) async throws -> RegistrationRequest? {
        try await sql.raw("""
            UPDATE registration_requests SET status = 'confirmed', resolved_at = \(bind: now.ms)
            WHERE token_hash = \(bind: tokenHash) AND kind = 'email-link' AND status = 'pending' AND expires_at > \(bind: now.ms)
            RETURNING *
            """).first().map(Self.request)
    }

    /// Voids every pending request for the patient (a new activation code was issued, or the record was activated).
    public func voidPending(patient: PatientID, at now: Date, by actor: AccountID?) async throws {
        try await sql.raw("""
            UPDATE registration_requests SET status = 'void', resolved_at = \(bind: now.ms), resolved_by = \(bind: actor?.description)
            WHERE patient_id = \(bind: patient.description) AND status = 'pending'
            """).run()
    }

    /// Whether the patient already waits for an identity check (so a repeated sign-up adds no second row).
    public func hasPendingIdentityCheck(patient: PatientID, at now: Date) async throws -> Bool {
        try await sql.raw("""
            SELECT id FROM registration_requests WHERE patient_id = \(bind: patient.description) AND kind = 'identity-check'
            AND status = 'pending' AND expires_at > \(bind: now.ms)
            """).first() != nil
    }

    /// Pending identity checks of an organization, oldest first.
    public func identityChecks(organization: OrganizationID, at now: Date, limit: Int) async throws -> [IdentityCheck] {
        try await sql.raw("""
            SELECT r.* FROM registration_requests r JOIN patients p ON p.id = r.patient_id
            WHERE r.kind = 'identity-check' AND r.status = 'pending' AND r.expires_at > \(bind: now.ms)
            AND p.organization_id = \(bind: organization.description)
            ORDER BY r.created_at, r.id LIMIT \(bind: limit)
            """).all().map(Self.request).asyncMap { request in
                guard let patient = try await PatientRepository(sql).find(id: request.patient) else { throw DatabaseError.unexpectedResult("patient") }
                return IdentityCheck(request: request, patient: patient)
            }
    }

    /// One pending identity check by id.
    public func pendingIdentityCheck(id: String, at now: Date) async throws -> RegistrationRequest? {
        try await sql.raw("""
            SELECT * FROM registration_requests WHERE id = \(bind: id) AND kind = 'identity-check' AND status = 'pending'
            AND expires_at > \(bind: now.ms)
            """).first().map(Self.request)
    }

    /// Closes one pending request as dismissed by staff.
    public func dismiss(id: String, at now: Date, by actor: AccountID) async throws {
        try await sql.raw("""
            UPDATE registration_requests SET status = 'dismissed', resolved_at = \(bind: now.ms), resolved_by = \(bind: actor.description)
            WHERE id = \(bind: id) AND status = 'pending'
            """).run()
    }

    static func request(_ row: any SQLRow) throws -> RegistrationRequest {
        guard let kind = RegistrationRequest.Kind(rawValue: try row.string("kind")),
              let status = RegistrationRequest.Status(rawValue: try row.string("status")) else {
            throw DatabaseError.unexpectedResult("registration request")
        }
        return RegistrationRequest(id: try row.string("id"), patient: try row.id("patient_id"), kind: kind, status: status,
                                   email: try row.string("email"), passwordHash: try row.optionalString("password_hash"),
                                   createdAt: try row.date("created_at"), expiresAt: try row.date("expires_at"))
    }
}

extension Array {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async throws -> [T] {
        var out: [T] = []
        out.reserveCapacity(count)
        for element in self { out.append(try await transform(element)) }
        return out
    }
}
