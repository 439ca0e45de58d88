import CareVaultCore
import Foundation

/// A stored sign-in account.
public struct Account: Sendable, Equatable {
    public var id: AccountID
    public var email: String
    public var displayName: String
    public var role: Role
    /// For clinicians, staff and admins: the organization they work for.
    public var organization: OrganizationID?
    /// For patients: their own record.
    public var patient: PatientID?
    public var passwordHash: String
    public var emailVerifiedAt: Date?
    /// The TOTP secret, sealed with the master key; set once enrolment is confirmed.
    public var totpSecretSealed: String?
    /// A secret shown on the enrolment page but not yet confirmed with a first code.
    public var totpPendingSealed: String?
    public var totpEnabledAt: Date?
    /// The last TOTP time step accepted, so no code is accepted twice.
    public var totpLastStep: Int64?
    public var failedAttempts: Int
    public var lockouts: Int
    public var lockedUntil: Date?
    public var createdAt: Date

    public init(
        id: AccountID = AccountID(), email: String, displayName: String, role: Role,
        organization: OrganizationID?, patient: PatientID?, passwordHash: String,
        emailVerifiedAt: Date?, createdAt: Date
    ) {
        self.id = id
        self.email = email
        self.displayName = displayName
        self.role = role
        self.organization = organization
        self.patient = patient
        self.passwordHash = passwordHash
        self.emailVerifiedAt = emailVerifiedAt
        self.failedAttempts = 0
        self.lockouts = 0
        self.createdAt = createdAt
    }

    public var hasSecondFactor: Bool { totpEnabledAt != nil && totpSecretSealed != nil }
}
