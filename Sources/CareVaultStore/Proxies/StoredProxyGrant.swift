import CareVaultCore
import Foundation

/// How an invited proxy proves they are the person the patient meant, besides holding the invitation.
public enum ProxyConfirmation: String, Sendable, Equatable, CaseIterable {
    /// A short code the patient (or staff) gives them in person or by phone.
    case code
    /// The patient's date of birth.
    case birthDate = "birth-date"
}

/// The document staff checked before setting up a grant for a parent, guardian or attorney.
public struct ProxyDocument: Sendable, Equatable {
    public let type: String
    public let reference: String
    /// When the document was issued (an ISO date as entered).
    public let date: String

    public init(type: String, reference: String, date: String) {
        self.type = type
        self.reference = reference
        self.date = date
    }
}

/// A proxy grant as stored: the grant the policy judges, and who it is for, who made it, the invitation
/// that offers it and what the proxy agreed to.
public struct StoredProxyGrant: Sendable, Equatable {
    public var grant: ProxyGrant
    /// The proxy's account, once they accepted.
    public var proxyAccount: AccountID?
    /// The name and address the patient (or staff) gave for the proxy.
    public var proxyName: String
    public var proxyEmail: String
    /// Who set it up: the patient's account, or the staff member's.
    public var createdBy: AccountID?
    public var createdAt: Date
    /// Until when the invitation may be accepted (single use).
    public var invitationExpiresAt: Date?
    public var confirmation: ProxyConfirmation
    /// Wrong codes or birth dates tried against the invitation.
    public var failedAttempts: Int
    /// The terms the proxy agreed to, word for word.
    public var acceptedText: String?
    public var revokedBy: AccountID?
    public var lastUsedAt: Date?
    public var document: ProxyDocument?
    /// Who widened a parent's access for the adolescent, and what the adolescent agreed to.
    public var widenedBy: AccountID?
    public var wideningAgreement: String?

    public init(grant: ProxyGrant, proxyAccount: AccountID? = nil, proxyName: String, proxyEmail: String, createdBy: AccountID?,
                createdAt: Date, invitationExpiresAt: Date?, confirmation: ProxyConfirmation, failedAttempts: Int = 0,
                acceptedText: String? = nil, revokedBy: AccountID? = nil, lastUsedAt: Date? = nil, document: ProxyDocument? = nil) {
        self.grant = grant
        self.proxyAccount = proxyAccount
        self.proxyName = proxyName
        self.proxyEmail = proxyEmail
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.invitationExpiresAt = invitationExpiresAt
        self.confirmation = confirmation
        self.failedAttempts = failedAttempts
        self.acceptedText = acceptedText
        self.revokedBy = revokedBy
        self.lastUsedAt = lastUsedAt
        self.document = document
    }

    public var id: GrantID { grant.id }
    public var patient: PatientID { grant.patient }
}

/// A grant this person holds, with the name of the patient whose record it opens (for the switcher).
public struct HeldProxyGrant: Sendable, Equatable {
    public let stored: StoredProxyGrant
    public let patientName: String
    public let patientBirthDate: BirthDate
    public let organization: OrganizationID

    public init(stored: StoredProxyGrant, patientName: String, patientBirthDate: BirthDate, organization: OrganizationID) {
        self.stored = stored
        self.patientName = patientName
        self.patientBirthDate = patientBirthDate
        self.organization = organization
    }
}
