import CareVaultCore
import CareVaultStore
import Foundation

/// Patient self-registration, with the identity checked one of two ways: an activation code and
/// date of birth, or a match on name, birth date and patient ID. Knowing those three facts is not
/// proof of holding the record, so the second way never creates an account by itself: the link goes
/// only to an email address already on file for the patient, and with none on file the request
/// waits for staff to check the person's identity and issue an activation code. A pending request
/// never blocks the patient's activation code; a new code voids it.
public struct RegistrationService: Sendable {
    /// How long an email confirmation link stays valid.
    public static let confirmationLifetime: TimeInterval = 24 * 60 * 60
    /// How long a request waits in the staff identity-check queue.
    public static let identityCheckLifetime: TimeInterval = 30 * 24 * 60 * 60
    /// Wrong birth dates an activation code takes before it is spent.
    public static let activationCodeAttempts = 5

    /// Said after an identity-match registration whatever happened, so the page reveals nothing
    /// about which patients exist or what is on file.
    public static let identityMatchAnswer = "If these details match a patient record, we have sent a link to the email address your clinic has on file for you; follow it within 24 hours to finish setting up your account. If your clinic has no email address for you, they will contact you to check who you are and give you an activation code."

    let env: AppEnvironment

    public init(env: AppEnvironment) { self.env = env }

    /// What an activation-code attempt found, decided inside the transaction and acted on after it
    /// (a wrong birth date must be counted even though nothing else is stored).
    private enum CodeOutcome {
        case registered(Account)
        case mismatch(countAgainst: String?)
        case emailTaken
    }

    /// Path (a): activation code + date of birth. The account is active at once. A wrong birth date
    /// counts against the code; after ``activationCodeAttempts`` the code is spent.
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

        let hash = try await env.hashPassword(password)
        let codeHash = env.codeHash(rawCode)
        let now = Date()
        let outcome: CodeOutcome = try await env.database.write { sql in
            let patients = PatientRepository(sql)
            let accounts = AccountRepository(sql)
            guard let patientID = try await patients.patientForActivationCode(hash: codeHash, at: now),
                  let patient = try await patients.find(id: patientID) else { return .mismatch(countAgainst: nil) }
            guard patient.birthDate == birthDate else { return .mismatch(countAgainst: codeHash) }
            guard try await accounts.find(patient: patientID) == nil else { return .mismatch(countAgainst: nil) }
            if try await accounts.find(email: email) != nil { return .emailTaken }
            guard try await patients.consumeActivationCode(hash: codeHash, at: now) else { return .mismatch(countAgainst: nil) }
            let account = Account(email: email, displayName: patient.fullName, role: .patient, organization: nil,
                                  patient: patient.id, passwordHash: hash, emailVerifiedAt: now, createdAt: now)
            try await accounts.insert(account)
            try await RegistrationRequestRepository(sql).voidPending(patient: patient.id, at: now, by: nil)
            try await env.audit.record(AuditEvent(.accountRegistered, info: info, actor: account), on: sql)
            return .registered(account)
        }
        switch outcome {
        case .registered(let account):
            return account
        case .emailTaken:
            throw ValidationFailure([FieldError(field: "email", message: "This email address is already used by another account. Use a different one, or sign in.")])
        case .mismatch(let codeHash):
            if let codeHash {
                try await env.database.write { sql in
                    try await PatientRepository(sql).countFailedAttempt(hash: codeHash, at: now, limit: Self.activationCodeAttempts)
                }
            }
            throw ValidationFailure([FieldError(
                field: "code",
                message: "We could not match this activation code and date of birth. Check both, or ask your clinic for a new code."
            )])
        }
    }

    /// Path (b): name, birth date and patient ID must all match one record without an account.
    /// Always answers the same way. On a match, the confirmation link goes to the typed address only
    /// if it is on file for the patient; another address on file is told someone tried; with none on
    /// file the request joins the staff identity-check queue. No account exists until the link is followed.
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
            let requests = RegistrationRequestRepository(sql)
            let candidates = try await PatientRepository(sql).find(mrn: mrn).filter {
                $0.birthDate == birthDate && Self.sameName($0.givenName, given) && Self.sameName($0.familyName, family)
            }
            guard candidates.count == 1, let patient = candidates.first,
                  try await accounts.find(patient: patient.id) == nil
            else { return }
            let onFile = try await Self.emailsOnFile(patient, sql: sql)
            guard !onFile.isEmpty else {
                if try await !requests.hasPendingIdentityCheck(patient: patient.id, at: now) {
                    try await requests.insert(RegistrationRequest(patient: patient.id, kind: .identityCheck, email: email, passwordHash: nil,
                                                                  createdAt: now, expiresAt: now.addingTimeInterval(Self.identityCheckLifetime)),
                                              tokenHash: nil)
                    try await env.audit.record(AuditEvent(.identityCheckRequested, info: info, patient: patient.id), on: sql)
                }
                return
            }
            guard onFile.contains(email) else {
                for address in onFile {
                    try await env.mailer.queue(
                        to: address, subject: "Someone asked to set up a CareVault account for your record",
                        body: "Someone asked to set up a CareVault account for your health record using a different email address. If it was you, sign up again with this email address, or ask your clinic for an activation code. If it was not you, nothing has been set up; you may want to tell your clinic.",
                        on: sql)
                }
                return
            }
            if try await accounts.find(email: email) != nil {
                // Tell the owner of that address, not the person at the keyboard.
                try await env.mailer.queue(
                    to: email, subject: "Someone tried to register with your email address",
                    body: "Someone tried to create a CareVault account with this email address, which already has one. If it was you, sign in or reset your password at \(env.link("/password/forgot")). If not, you can ignore this message.",
                    on: sql)
                return
            }
            try await requests.insert(RegistrationRequest(patient: patient.id, kind: .emailLink, email: email, passwordHash: hash,
                                                          createdAt: now, expiresAt: now.addingTimeInterval(Self.confirmationLifetime)),
                                      tokenHash: token.storageHash)
            try await env.mailer.queue(
                to: email, subject: "Confirm your email address to finish setting up CareVault",
                body: "Hello \(patient.givenName),\n\nFollow this link within 24 hours to confirm your email address and finish setting up your account:\n\n\(env.link("/register/confirm?token=\(token.value)"))\n\nIf you did not ask for this, ignore this message and no account will be created.",
                on: sql)
        }
    }

    /// The addresses on file for a patient: the one staff recorded and those in the record's Patient.
    static func emailsOnFile(_ patient: Patient, sql: Database.DatabaseConnection) async throws -> [String] {
        var found = patient.email.map { [$0.lowercased()] } ?? []
        if let stored = try await FHIRResourceRepository(sql).findWhole(type: "Patient", id: patient.id.description),
           stored.patient == patient.id, let json = try? JSONParser.parse(stored.json) {
            found += PatientContact.emails(in: json).filter { !found.contains($0) }
        }
        return found
    }

    /// Follows an email confirmation link: creates the account the request asked for. Returns false
    /// for an unknown, used, voided or expired link, or a record that was activated meanwhile.
    public func confirmEmail(token: String, info: RequestInfo) async throws -> Bool {
        let now = Date()
        return try await env.database.write { sql in
            let accounts = AccountRepository(sql)
            guard let request = try await RegistrationRequestRepository(sql).confirm(tokenHash: SecretToken.hash(token), at: now),
                  let passwordHash = request.passwordHash,
                  let patient = try await PatientRepository(sql).find(id: request.patient),
                  try await accounts.find(patient: patient.id) == nil,
                  try await accounts.find(email: request.email) == nil
            else { return false }
            let account = Account(email: request.email, displayName: patient.fullName, role: .patient, organization: nil,
                                  patient: patient.id, passwordHash: passwordHash, emailVerifiedAt: now, createdAt: now)
            try await accounts.insert(account)
            try await RegistrationRequestRepository(sql).voidPending(patient: patient.id, at: now, by: nil)
            try await env.audit.record(AuditEvent(.accountRegistered, info: info, actor: account), on: sql)
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
