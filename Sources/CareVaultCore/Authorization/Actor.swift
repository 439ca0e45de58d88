import Foundation

/// Who is asking. Built from a verified session (or, later, a token) — never from request input.
public enum Actor: Sendable, Equatable {
    /// A patient signed in to their own account, linked to their own record.
    case patient(account: AccountID, patient: PatientID)
    /// A clinician or staff member of an organization.
    case staffMember(account: AccountID, role: Role, organization: OrganizationID, secondFactorEnrolled: Bool)
    /// An administrator: accounts and settings, no clinical data.
    case admin(account: AccountID, secondFactorEnrolled: Bool)
    /// Someone acting for a patient under a grant: a proxy (parent, caregiver), a share link or an app.
    case delegate(account: AccountID?, grant: AccessGrant)

    /// The account behind the actor, if any (a share link may have none).
    public var account: AccountID? {
        switch self {
        case .patient(let a, _), .staffMember(let a, _, _, _), .admin(let a, _): a
        case .delegate(let a, _): a
        }
    }
}

/// A grant of access to one patient's record, held by someone acting for them.
public struct AccessGrant: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case proxy, shareLink = "share-link", app
    }

    public let id: GrantID
    public let kind: Kind
    public let patient: PatientID
    public let scopes: Set<Action>
    public let expiresAt: Date?
    public let revokedAt: Date?

    public init(id: GrantID, kind: Kind, patient: PatientID, scopes: Set<Action>, expiresAt: Date?, revokedAt: Date?) {
        self.id = id
        self.kind = kind
        self.patient = patient
        self.scopes = scopes
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
    }
}

/// The patient whose record an action touches: only what the policy needs to know.
public struct PatientScope: Sendable, Equatable {
    public let id: PatientID
    public let organization: OrganizationID

    public init(id: PatientID, organization: OrganizationID) {
        self.id = id
        self.organization = organization
    }
}

/// The resource within the record, when the action is about one.
public struct ResourceRef: Sendable, Equatable {
    public let type: String
    public let id: String

    public init(type: String, id: String) {
        self.type = type
        self.id = id
    }
}
