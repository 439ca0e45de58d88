import CareVaultCore
import CareVaultStore
import Foundation

/// Creates staff accounts and patient records, and issues activation codes.
public struct AccountService: Sendable {
    /// How long an activation code stays valid.
    public static let activationCodeLifetime: TimeInterval = 30 * 24 * 60 * 60

    let env: AppEnvironment

    public init(env: AppEnvironment) { self.env = env }

    /// Creates a clinician, staff or admin account in the default organization. With
    /// `consumingSetupToken`, the one-time set-up token is used up in the same transaction (and the
    /// account is not created unless it was still valid).
    public func createStaff(email rawEmail: String, name rawName: String, role: Role?, password: String,
                            by actor: Account?, info: RequestInfo, consumingSetupToken setupToken: String? = nil) async throws -> Account {
        var v = FieldValidator()
        let email = v.check { () throws(FieldError) in try Inputs.email(rawEmail) }
        let name = v.check { () throws(FieldError) in try Inputs.name(rawName, field: "name", label: "name") }
        if role == nil || role == .patient {
            v.add(FieldError(field: "role", message: "Choose clinician, staff or admin."))
        }
        v.check { () throws(FieldError) in try env.passwordPolicy.validate(password, context: [rawEmail, rawName]) }
        try v.finish()
        guard let email, let name, let role else { throw ValidationFailure([]) }

        let hash = try await env.hashPassword(password)
        return try await env.database.write { sql in
            if let setupToken {
                let used = try await AccountTokenRepository(sql).consume(hash: SecretToken.hash(setupToken), purpose: .adminSetup, at: Date())
                guard used.valid else { throw SetupLinkUsed() }
            }
            let accounts = AccountRepository(sql)
            if try await accounts.find(email: email) != nil {
                throw ValidationFailure([FieldError(field: "email", message: "An account with this email address already exists.")])
            }
            let organization = try await PatientRepository(sql).defaultOrganization()
            let account = Account(email: email, displayName: name, role: role, organization: organization, patient: nil,
                                  passwordHash: hash, emailVerifiedAt: Date(), createdAt: Date())
            try await accounts.insert(account)
            try await env.audit.record(AuditEvent(.accountCreated, info: info, actor: actor, subject: account.id), on: sql)
            return account
        }
    }

    /// Registers a patient record and issues its first activation code.
    public func createPatient(mrn rawMRN: String, givenName: String, familyName: String, birthDate rawBirthDate: String,
                              email rawEmail: String?, organization: OrganizationID?, by actor: Account?,
                              info: RequestInfo) async throws -> (Patient, HumanCode) {
        var v = FieldValidator()
        let mrn = v.check { () throws(FieldError) in try Inputs.mrn(rawMRN) }
        let given = v.check { () throws(FieldError) in try Inputs.name(givenName, field: "givenName", label: "given name") }
        let family = v.check { () throws(FieldError) in try Inputs.name(familyName, field: "familyName", label: "family name") }
        let birthDate = v.check { () throws(FieldError) in try Inputs.birthDate(rawBirthDate) }
        var email: String?
        if let rawEmail, !rawEmail.trimmingCharacters(in: .whitespaces).isEmpty {
            email = v.check { () throws(FieldError) in try Inputs.email(rawEmail) }
        }
        try v.finish()
        guard let mrn, let given, let family, let birthDate else { throw ValidationFailure([]) }

        let code = HumanCode.activationCode()
        let now = Date()
        let patient = try await env.database.write { sql in
            let patients = PatientRepository(sql)
            let org: OrganizationID
            if let organization { org = organization } else { org = try await patients.defaultOrganization() }
            if try await patients.find(mrn: mrn, organization: org) != nil {
                throw ValidationFailure([FieldError(field: "mrn", message: "A patient with this patient ID already exists.")])
            }
            let patient = Patient(organization: org, mrn: mrn, givenName: given, familyName: family,
                                  birthDate: birthDate, email: email, createdAt: now)
            try await patients.insert(patient)
            try await patients.replaceActivationCode(patient: patient.id, codeHash: env.codeHash(code.display), at: now,
                                                     expiresAt: now.addingTimeInterval(Self.activationCodeLifetime))
            try await env.audit.record(AuditEvent(.patientRegistered, info: info, actor: actor, patient: patient.id,
                                                  resourceType: "Patient", resourceID: patient.id.description), on: sql)
            try await env.audit.record(AuditEvent(.activationCodeIssued, info: info, actor: actor, patient: patient.id), on: sql)
            return patient
        }
        return (patient, code)
    }

    /// Issues a fresh activation code for an existing patient, voiding earlier unused ones and any
    /// pending sign-up requests.
    public func issueActivationCode(for patient: Patient, by actor: Account?, info: RequestInfo) async throws -> HumanCode {
        let code = HumanCode.activationCode()
        let now = Date()
        try await env.database.write { sql in
            if try await AccountRepository(sql).find(patient: patient.id) != nil {
                throw ValidationFailure([FieldError(field: "mrn", message: "This patient already has an account. They can reset their password from the sign-in page.")])
            }
            try await PatientRepository(sql).replaceActivationCode(
                patient: patient.id, codeHash: env.codeHash(code.display), at: now,
                expiresAt: now.addingTimeInterval(Self.activationCodeLifetime))
            // Sign-up requests waiting for a link or an identity check end here: the code is the way in now.
            try await RegistrationRequestRepository(sql).voidPending(patient: patient.id, at: now, by: actor?.id)
            try await env.audit.record(AuditEvent(.activationCodeIssued, info: info, actor: actor, patient: patient.id), on: sql)
        }
        return code
    }
}

/// The one-time set-up link was used (or expired) while the form was being filled in.
struct SetupLinkUsed: Error {}
