import Foundation

/// One row of the audit log (the fields of ASTM E2147): who did what, to whose record, on what
/// authority, with what outcome, from where. Never carries passwords, codes, tokens or clinical values.
public struct AuditEvent: Sendable, Equatable {
    public var occurredAt: Date
    public var actorAccount: AccountID?
    public var actorRole: Role?
    /// The patient whose record or account the event concerns, if any.
    public var patient: PatientID?
    public var action: AuditAction
    public var resourceType: String?
    public var resourceID: String?
    /// The authorization basis (``Basis/description``), for data access.
    public var basis: String?
    public var outcome: AuditOutcome
    public var clientIP: String?
    public var userAgent: String?
    /// The account the event is about when that is not the actor (e.g. a failed sign-in's target).
    public var subjectAccount: AccountID?
    /// Everything of the record one request showed or sent (`Type/id`, in the order shown): one event
    /// per request names them all, as a FHIR AuditEvent's `entity` list does.
    public var entities: [String]

    public init(
        occurredAt: Date = Date(), actorAccount: AccountID? = nil, actorRole: Role? = nil, patient: PatientID? = nil,
        action: AuditAction, resourceType: String? = nil, resourceID: String? = nil, basis: String? = nil,
        outcome: AuditOutcome = .success, clientIP: String? = nil, userAgent: String? = nil, subjectAccount: AccountID? = nil,
        entities: [String] = []
    ) {
        self.occurredAt = occurredAt
        self.actorAccount = actorAccount
        self.actorRole = actorRole
        self.patient = patient
        self.action = action
        self.resourceType = resourceType
        self.resourceID = resourceID
        self.basis = basis
        self.outcome = outcome
        self.clientIP = clientIP
        self.userAgent = userAgent.map { String($0.prefix(512)) }
        self.subjectAccount = subjectAccount
        self.entities = entities
    }

    /// Milliseconds since 1970 (UTC), the precision the log keeps.
    public var occurredAtMilliseconds: Int64 { Int64((occurredAt.timeIntervalSince1970 * 1000).rounded()) }
}

public enum AuditOutcome: String, Sendable, Equatable {
    case success, failure, denied
}

/// What happened. The raw values are stable: they are stored and hashed.
public enum AuditAction: String, Sendable, Equatable, CaseIterable {
    case signIn = "auth.sign-in"
    case signInFailed = "auth.sign-in.failed"
    case passwordCheckFailed = "auth.password-check.failed"
    case secondFactorFailed = "auth.second-factor.failed"
    case recoveryCodeUsed = "auth.recovery-code.used"
    case lockedOut = "auth.locked-out"
    case signOut = "auth.sign-out"
    case secondFactorEnrolled = "mfa.enrolled"
    case secondFactorDisabled = "mfa.disabled"
    case recoveryCodesRegenerated = "mfa.recovery-codes.regenerated"
    case passwordResetRequested = "password.reset-requested"
    case passwordReset = "password.reset"
    case passwordChanged = "password.changed"
    case sessionRevoked = "session.revoked"
    case accountCreated = "account.created"
    case accountRegistered = "account.registered"
    case emailConfirmed = "account.email-confirmed"
    case patientRegistered = "patient.registered"
    case activationCodeIssued = "patient.activation-code-issued"
    case recordRead = "record.read"
    case recordAccessDenied = "record.access-denied"
    case recordImported = "record.imported"
    case importMatchConfirmed = "record.import-same-person-confirmed"
    case patientIDSystemChanged = "settings.patient-id-system-changed"
    case identityCheckRequested = "patient.identity-check-requested"
    case identityCheckResolved = "patient.identity-check-resolved"
    case recordDownloaded = "record.downloaded"
    case recordReleased = "record.released"
    case releaseRuleChanged = "settings.release-rule-changed"
    case recordUploaded = "record.uploaded"
    case uploadRefused = "record.upload-refused"
    case uploadChanged = "record.upload-changed"
    case uploadDeleted = "record.upload-deleted"
    case uploadErased = "record.upload-erased"
    case readingsRecorded = "record.readings-recorded"
    case entryReported = "record.entry-reported"
    case contributionRemoved = "record.contribution-removed"
    case reviewStatusChanged = "record.review-status-changed"
    case retentionChanged = "settings.upload-retention-changed"
    case proxyInvited = "access.proxy-invited"
    case proxyAccepted = "access.proxy-accepted"
    case proxyChanged = "access.proxy-changed"
    case proxyRevoked = "access.proxy-revoked"
    case proxyConfirmationFailed = "access.proxy-confirmation-failed"
    case proxyRulesChanged = "settings.proxy-rules-changed"
    case disclosureRecorded = "record.disclosure-recorded"
    case shareCreated = "access.share-created"
    case shareRevoked = "access.share-revoked"
    /// A recipient entered a share's code (and birth date) rightly: one opening.
    case shareOpened = "access.share-opened"
    case shareCodeFailed = "access.share-code-failed"
    case shareLocked = "access.share-locked"
    case imageConsentRecorded = "consent.images-recorded"
    case imageConsentWithdrawn = "consent.images-withdrawn"

    /// Plain-language description for the patient's "Account activity" page.
    public var plainDescription: String {
        switch self {
        case .signIn: "Signed in"
        case .signInFailed: "Failed sign-in attempt"
        case .passwordCheckFailed: "Wrong password entered to confirm a change"
        case .secondFactorFailed: "Wrong authenticator code entered"
        case .recoveryCodeUsed: "Signed in with a recovery code"
        case .lockedOut: "Sign-in paused after too many failed attempts"
        case .signOut: "Signed out"
        case .secondFactorEnrolled: "Two-step sign-in turned on"
        case .secondFactorDisabled: "Two-step sign-in turned off"
        case .recoveryCodesRegenerated: "New recovery codes created"
        case .passwordResetRequested: "Password reset requested"
        case .passwordReset: "Password reset (all devices signed out)"
        case .passwordChanged: "Password changed"
        case .sessionRevoked: "Device signed out"
        case .accountCreated: "Account created"
        case .accountRegistered: "Account registered"
        case .emailConfirmed: "Email address confirmed"
        case .patientRegistered: "Patient record registered"
        case .activationCodeIssued: "Activation code issued"
        case .recordRead: "Record viewed"
        case .recordAccessDenied: "Record access refused"
        case .recordImported: "Records imported"
        case .importMatchConfirmed: "Import confirmed as the same person despite different details"
        case .patientIDSystemChanged: "Patient-ID system changed"
        case .identityCheckRequested: "Sign-up waiting for an identity check by staff"
        case .identityCheckResolved: "Identity check by staff completed"
        case .recordDownloaded: "Record downloaded"
        case .recordReleased: "Record released to the patient"
        case .recordUploaded: "File added to the record"
        case .uploadRefused: "File refused at upload"
        case .uploadChanged: "Uploaded file renamed or re-filed"
        case .uploadDeleted: "Uploaded file deleted"
        case .uploadErased: "Deleted file's contents erased"
        case .readingsRecorded: "Home readings added"
        case .entryReported: "Allergy, medicine or condition reported"
        case .contributionRemoved: "Reading or reported entry removed by the patient"
        case .reviewStatusChanged: "Review status changed"
        case .retentionChanged: "Upload retention period changed"
        case .releaseRuleChanged: "Release rule changed"
        case .proxyInvited: "Proxy access offered"
        case .proxyAccepted: "Proxy access accepted"
        case .proxyChanged: "Proxy access changed"
        case .proxyRevoked: "Proxy access ended"
        case .proxyConfirmationFailed: "Wrong code or date of birth entered for a proxy invitation"
        case .proxyRulesChanged: "Proxy rules changed (what parents of adolescents may see)"
        case .disclosureRecorded: "A disclosure of the record was recorded"
        case .shareCreated: "Records shared with a link"
        case .shareRevoked: "A share link was ended"
        case .shareOpened: "A share link was opened with its code"
        case .shareCodeFailed: "Wrong code entered for a share link"
        case .shareLocked: "A share link locked after too many wrong codes"
        case .imageConsentRecorded: "Consent for the use of images recorded"
        case .imageConsentWithdrawn: "Consent for the use of images withdrawn"
        }
    }

    /// Events a patient sees on their "Account activity" page.
    public var isSecurityEvent: Bool {
        switch self {
        case .recordRead, .recordAccessDenied, .recordImported, .importMatchConfirmed, .patientIDSystemChanged, .identityCheckRequested,
             .identityCheckResolved, .recordDownloaded, .recordReleased, .releaseRuleChanged, .recordUploaded, .uploadRefused,
             .uploadChanged, .uploadDeleted, .uploadErased, .readingsRecorded, .entryReported, .contributionRemoved, .reviewStatusChanged,
             .retentionChanged, .patientRegistered, .activationCodeIssued, .disclosureRecorded, .shareCreated, .shareRevoked, .shareOpened,
             .shareCodeFailed, .shareLocked, .imageConsentRecorded, .imageConsentWithdrawn: false
        default: true
        }
    }
}
