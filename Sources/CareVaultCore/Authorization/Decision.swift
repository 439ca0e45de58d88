/// The outcome of ``AuthorizationPolicy/decide(_:_:patient:resource:at:)``.
public enum Decision: Sendable, Equatable {
    case permit(Basis)
    case deny(DenialReason)

    public var isPermitted: Bool {
        if case .permit = self { return true }
        return false
    }
}

/// On what authority access was allowed. Recorded in the audit log with every access.
public enum Basis: Sendable, Equatable, CustomStringConvertible {
    /// The patient's own record.
    case ownRecord
    /// A clinician or staff member of the organization that holds the record.
    case careTeam(role: Role, organization: OrganizationID)
    /// Account administration.
    case administration
    /// A grant from the patient (proxy, share link, app).
    case grant(kind: AccessGrant.Kind, id: GrantID)

    /// Whether this is the care team's basis.
    public var isCareTeam: Bool {
        if case .careTeam = self { return true }
        return false
    }

    /// The short code stored in audit rows (e.g. `grant:proxy:<id>`).
    public var description: String {
        switch self {
        case .ownRecord: "self"
        case .careTeam(let role, let org): "care-team:\(role.rawValue):\(org)"
        case .administration: "administration"
        case .grant(let kind, let id): "grant:\(kind.rawValue):\(id)"
        }
    }
}

/// Why access was refused. Routes answer 404 for record denials so as not to reveal that a record exists.
public enum DenialReason: String, Sendable, Equatable {
    /// The record is not the actor's and no relationship or grant covers it.
    case noRelationship = "no-relationship"
    /// The actor's role does not allow this action at all.
    case actionNotAllowedForRole = "role-not-allowed"
    /// Staff-side accounts must enrol a second factor before seeing patient data.
    case secondFactorRequired = "second-factor-required"
    /// The grant has expired.
    case grantExpired = "grant-expired"
    /// The grant was revoked.
    case grantRevoked = "grant-revoked"
    /// The grant was offered but not accepted yet.
    case grantNotAccepted = "grant-not-accepted"
    /// A parent's grant ended on the child's 18th birthday.
    case patientCameOfAge = "patient-came-of-age"
    /// A share link took too many wrong codes.
    case shareLocked = "share-locked"
    /// The grant does not include this action.
    case outsideGrantScope = "outside-grant-scope"
    /// A record action was asked for without saying whose record.
    case patientRequired = "patient-required"
}

extension Basis {
    /// The basis an audit row recorded (its ``description``); nil for anything else (a denial's reason).
    public init?(stored: String) {
        let parts = stored.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        switch (parts.first, parts.count) {
        case ("self", 1): self = .ownRecord
        case ("administration", 1): self = .administration
        case ("care-team", 3):
            guard let role = Role(rawValue: parts[1]), let organization = OrganizationID(parts[2]) else { return nil }
            self = .careTeam(role: role, organization: organization)
        case ("grant", 3):
            guard let kind = AccessGrant.Kind(rawValue: parts[1]), let id = GrantID(parts[2]) else { return nil }
            self = .grant(kind: kind, id: id)
        default: return nil
        }
    }
}
