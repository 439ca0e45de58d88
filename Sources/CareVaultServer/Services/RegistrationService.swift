import CareVaultCore
import CareVaultStore
import Foundation
import SQLKit

/// Patient self-registration, with the identity checked one of two ways: an activation code and
/// date of birth, or a match on name, birth date and patient ID followed by email confirmation.
public struct RegistrationService: Sendable {
    /// How long an email confirmation link stays valid.
    public static let confirmationLifetime: TimeInterval = 24 * 60 * 60

    /// Said after an identity-match registration whatever happened, so the page reveals nothing
    /// about which patients exist.
    public static let identityMatchAnswer = "If these details match a patient record, we have sent a link to the email address you gave. Follow it within 24 hours to finish setting up your account."

    let env: AppEnvironment

    public init(env: AppEnvironment) { self.env = env }

    /// Path (a): activation code + date of birth. The account is active at once.
    public func register(activationCode rawCode: String, birthDate rawBirthDate: String, email rawEmail: String,
                         password: String, info: RequestInfo) async throws -> Account {
        var v = FieldValidator()
        if HumanCode.normalize(rawCode).isEmpty {
            v.add(FieldError(field: "code", message: "Enter the activation code from your clinic letter."))
        }
        let birthDate = v.check { () throws(FieldError) in try Inputs.birthDate(rawBirthDate) }
        let email = v.check { () throws(FieldError) in try Inputs.email(rawEmail) }
        v.check { () throws(FieldError) in try env.passwordPolicy.validate(password, context: [rawEmail]) }
        try v.finish()
        guard let birthDate, let email else { throw ValidationFailure([]) }

        let mismatch = ValidationFailure([FieldError(
            field: "code",
            message: "We could not match this activation code and date of birth. Check both, or ask your clinic for a new code."
        )])
        let hash = try await env.hashPassword(password)
        let codeHash = HumanCode.storageHash(of: rawCode)
        let now = Date()
        return try await env.database.write { sql in
            let patients = PatientRepository(sql)
            let accounts = AccountRepository(sql)
            guard let patientID = try await patients.patientForActivationCode(hash: codeHash, at: now),
                  let patient = try await patients.find(id: patientID), patient.birthDate == birthDate,
                  try await accounts.find(patient: patientID) == nil
            else { throw mismatch }
            if try await accounts.find(email: email) != nil {
                throw ValidationFailure([FieldError(field: "email", message: "This email address is already used by another account. Use a different one, or sign in.")])
            }
            guard try await patients.consumeActivationCode(hash: codeHash, at: now) else { throw mismatch }
            let account = Account(email: email, displayName: patient.fullName, role: .patient, organization: nil,
                                  patient: patient.id, passwordHash: hash, emailVerifiedAt: now, createdAt: now)
            try await accounts.insert(account)
            try await env.audit.record(AuditEvent(.accountRegistered, info: info, actor: account), on: sql)
            return account
        }
    }

    /// Path (b): name, birth date and patient ID must all match one record. Always answers the same
    /// way; on a match the account is created unconfirmed and a confirmation link is mailed.
    public func register(givenName: String, familyName: String, birthDate rawBirthDate: String, mrn rawMRN: String,
                         email rawEmail: String, password: String, info: RequestInfo) async throws {
        var v = FieldValidator()
        let given = v.check { () throws(FieldError) in try Inputs.name(givenName, field: "givenName", label: "given name") }
        let family = v.check { () throws(FieldError) in try Inputs.name(familyName, field: "familyName", label: "family name") }
        let birthDate = v.check { () throws(FieldError) in try Inputs.birthDate(rawBirthDate) }
        let mrn = v.check { () throws(FieldError) in try Inputs.mrn(rawMRN) }
        let email = v.check { () throws(FieldError) in try Inputs.email(rawEmail) }
        v.check { () throws(FieldError) in try env.passwordPolicy.validate(password, context: [rawEmail, givenName, familyName]) }
        try v.finish()
        guard let given, let family, let birthDate, let mrn, let email else { throw ValidationFailure([]) }

        // Hash first on every path, so a match and a miss take the same time.
        let hash = try await env.hashPassword(password)
        let token = SecretToken.generate()
        let now = Date()
        try await env.database.write { sql in
            let accounts = AccountRepository(sql)
            let candidates = try await PatientRepository(sql).find(mrn: mrn).filter {
                $0.birthDate == birthDate && Self.sameName($0.givenName, given) && Self.sameName($0.familyName, family)
            }
            guard candidates.count == 1, let patient = candidates.first,
                  try await accounts.find(patient: patient.id) == nil
            else { return }
            if try await accounts.find(email: email) != nil {
                // Tell the owner of that address, not the person at the keyboard.
                try await env.mailer.queue(
                    to: email, subject: "Someone tried to register with your email address",
                    body: "Someone tried to create a CareVault account with this email address, which already has one. If it was you, sign in or reset your password at \(env.link("/password/forgot")). If not, you can ignore this message.",
                    on: sql)
                return
            }
            let account = Account(email: email, displayName: patient.fullName, role: .patient, organization: nil,
                                  patient: patient.id, passwordHash: hash, emailVerifiedAt: nil, createdAt: now)
            try await accounts.insert(account)
            try await AccountTokenRepository(sql).insert(
                hash: token.storageHash, account: account.id, purpose: .confirmEmail, at: now,
                expiresAt: now.addingTimeInterval(Self.confirmationLifetime))
            try await env.mailer.queue(
                to: email, subject: "Confirm your email address to finish setting up CareVault",
                body: "Hello \(patient.givenName),\n\nFollow this link within 24 hours to confirm your email address and finish setting up your account:\n\n\(env.link("/register/confirm?token=\(token.value)"))\n\nIf you did not ask for this, ignore this message and no account will be activated.",
                on: sql)
            try await env.audit.record(AuditEvent(.accountRegistered, info: info, actor: account), on: sql)
        }
    }

    /// Follows an email confirmation link. Returns false for an unknown, used or expired link.
    public func confirmEmail(token: String, info: RequestInfo) async throws -> Bool {
        let now = Date()
        return try await env.database.write { sql in
            let result = try await AccountTokenRepository(sql).consume(hash: SecretToken.hash(token), purpose: .confirmEmail, at: now)
            guard result.valid, let accountID = result.account,
                  let account = try await AccountRepository(sql).find(id: accountID)
            else { return false }
            try await AccountRepository(sql).markEmailVerified(accountID, at: now)
            try await env.audit.record(AuditEvent(.emailConfirmed, info: info, actor: account), on: sql)
            return true
        }
    }

    /// Names match ignoring case, accents and surrounding spaces ("José" = "jose").
    static func sameName(_ a: String, _ b: String) -> Bool {
        a.trimmingCharacters(in: .whitespaces).compare(
            b.trimmingCharacters(in: .whitespaces), options: [.caseInsensitive, .diacriticInsensitive]) == .orderedSame
    }
}
