import CareVaultCore
import Foundation
import SQLKit

/// Reads and writes `patients`, `organizations` and `activation_codes`.
public struct PatientRepository: Sendable {
    private let sql: any SQLDatabase

    public init(_ sql: any SQLDatabase) { self.sql = sql }

    /// The organization created with the schema (single-organization installations).
    public func defaultOrganization() async throws -> OrganizationID {
        guard let row = try await sql.raw("SELECT id FROM organizations ORDER BY created_at, id LIMIT 1").first() else {
            throw DatabaseError.unexpectedResult("no organization")
        }
        return try row.id("id")
    }

    public func insert(_ p: Patient) async throws {
        try await sql.raw("""
            INSERT INTO patients (id, organization_id, mrn, mrn_system, given_name, family_name, birth_date, email, created_at)
            VALUES (\(bind: p.id.description), \(bind: p.organization.description), \(bind: p.mrn), \(bind: p.mrnSystem), \(bind: p.givenName),
                \(bind: p.familyName), \(bind: p.birthDate.description), \(bind: p.email), \(bind: p.createdAt.ms))
            """).run()
    }

    /// Records the patient's name, birth date and patient-ID system as an import confirmed them.
    public func updateIdentity(_ p: Patient) async throws {
        try await sql.raw("""
            UPDATE patients SET mrn_system = \(bind: p.mrnSystem), given_name = \(bind: p.givenName), family_name = \(bind: p.familyName),
                birth_date = \(bind: p.birthDate.description)
            WHERE id = \(bind: p.id.description)
            """).run()
    }

    /// The system an organization's patient IDs are in, when an administrator named one.
    public func patientIDSystem(organization: OrganizationID) async throws -> String? {
        try await sql.raw("SELECT patient_id_system FROM organizations WHERE id = \(bind: organization.description)").first()?
            .optionalString("patient_id_system").flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Names (or, with nil, clears) the system an organization's patient IDs are in.
    public func setPatientIDSystem(_ system: String?, organization: OrganizationID) async throws {
        try await sql.raw("""
            UPDATE organizations SET patient_id_system = \(bind: system) WHERE id = \(bind: organization.description)
            """).run()
    }

    public func find(id: PatientID) async throws -> Patient? {
        try await sql.raw("SELECT * FROM patients WHERE id = \(bind: id.description)").first().map(Self.patient)
    }

    public func find(mrn: String, organization: OrganizationID) async throws -> Patient? {
        try await sql.raw("""
            SELECT * FROM patients WHERE mrn = \(bind: mrn) AND organization_id = \(bind: organization.description)
            """).first().map(Self.patient)
    }

    /// Patients whose patient ID is `mrn`, in any organization (identity matching at sign-up).
    public func find(mrn: String) async throws -> [Patient] {
        try await sql.raw("SELECT * FROM patients WHERE mrn = \(bind: mrn)").all().map(Self.patient)
    }

    /// An organization's patients, newest first, optionally filtered by a name or patient ID fragment.
    public func list(organization: OrganizationID, matching query: String?, limit: Int, offset: Int) async throws -> [Patient] {
        // Each word must be in the given name, the family name or the MRN, so "Ana Lima" finds Ana Lima.
        let words = (query ?? "").lowercased().replacingOccurrences(of: "%", with: "").replacingOccurrences(of: "_", with: "")
            .split(whereSeparator: \.isWhitespace).prefix(5)
        var statement = SQLQueryString("SELECT * FROM patients WHERE organization_id = \(bind: organization.description)")
        for word in words {
            let pattern = "%" + word + "%"
            statement.appendInterpolation(unsafeRaw: " AND (LOWER(given_name) LIKE ")
            statement.appendInterpolation(bind: pattern)
            statement.appendInterpolation(unsafeRaw: " OR LOWER(family_name) LIKE ")
            statement.appendInterpolation(bind: pattern)
            statement.appendInterpolation(unsafeRaw: " OR LOWER(mrn) LIKE ")
            statement.appendInterpolation(bind: pattern)
            statement.appendInterpolation(unsafeRaw: ")")
        }
        statement.appendInterpolation(unsafeRaw: " ORDER BY created_at DESC, id LIMIT ")
        statement.appendInterpolation(bind: limit)
        statement.appendInterpolation(unsafeRaw: " OFFSET ")
        statement.appendInterpolation(bind: offset)
        return try await sql.raw(statement).all().map(Self.patient)
    }

    // MARK: Activation codes

    /// Stores a new activation code's hash, replacing (voiding) any earlier unused codes for the patient.
    public func replaceActivationCode(patient: PatientID, codeHash: String, at now: Date, expiresAt: Date) async throws {
        try await sql.raw("""
            UPDATE activation_codes SET used_at = \(bind: now.ms) WHERE patient_id = \(bind: patient.description) AND used_at IS NULL
            """).run()
        try await sql.raw("""
            INSERT INTO activation_codes (code_hash, patient_id, created_at, expires_at)
            VALUES (\(bind: codeHash), \(bind: patient.description), \(bind: now.ms), \(bind: expiresAt.ms))
            """).run()
    }

    /// The patient an unused, unexpired code belongs to (without using it up).
    public func patientForActivationCode(hash: String, at now: Date) async throws -> PatientID? {
        try await sql.raw("""
            SELECT patient_id FROM activation_codes
            WHERE code_hash = \(bind: hash) AND used_at IS NULL AND expires_at > \(bind: now.ms)
            """).first().map { try $0.id("patient_id") }
    }

    /// Uses the code up; false if it was used meanwhile.
    public func consumeActivationCode(hash: String, at now: Date) async throws -> Bool {
        try await sql.raw("""
            UPDATE activation_codes SET used_at = \(bind: now.ms)
            WHERE code_hash = \(bind: hash) AND used_at IS NULL AND expires_at > \(bind: now.ms) RETURNING patient_id
            """).first() != nil
    }

    /// Counts a wrong birth date against an unused code; the `limit`th spends it, so a code cannot be
    /// tried against every birth date.
    public func countFailedAttempt(hash: String, at now: Date, limit: Int) async throws {
        try await sql.raw("""
            UPDATE activation_codes SET failed_attempts = failed_attempts + 1,
                used_at = CASE WHEN failed_attempts + 1 >= \(bind: limit) THEN \(bind: now.ms) ELSE used_at END
            WHERE code_hash = \(bind: hash) AND used_at IS NULL
            """).run()
    }

    /// Every stored activation-code hash not yet in the keyed form (`prefix`), for re-keying at start-up.
    public func activationCodeHashes(notStartingWith prefix: String) async throws -> [String] {
        try await sql.raw("SELECT code_hash FROM activation_codes WHERE code_hash NOT LIKE \(bind: prefix + "%")").all()
            .map { try $0.string("code_hash") }
    }

    public func replaceActivationCodeHash(_ old: String, with new: String) async throws {
        try await sql.raw("UPDATE activation_codes SET code_hash = \(bind: new) WHERE code_hash = \(bind: old)").run()
    }

    static func patient(_ row: any SQLRow) throws -> Patient {
        guard let birthDate = BirthDate(try row.string("birth_date")) else {
            throw DatabaseError.unexpectedResult("bad birth date")
        }
        return Patient(
            id: try row.id("id"), organization: try row.id("organization_id"), mrn: try row.string("mrn"),
            mrnSystem: try row.optionalString("mrn_system") ?? "",
            givenName: try row.string("given_name"), familyName: try row.string("family_name"),
            birthDate: birthDate, email: try row.optionalString("email"), createdAt: try row.date("created_at")
        )
    }
}
