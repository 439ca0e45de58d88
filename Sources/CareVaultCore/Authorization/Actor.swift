import Foundation

/// Who is asking. Built from a verified session (or, later, a token) — never from request input.
public enum Actor: Sendable, Equatable {
    /// A patient signed in to their own account, linked to their own record.
    case patient(account: AccountID, patient: PatientID)
    /// Someone signed in with no record of their own (a proxy only): they open records only through
    /// grants, which the record's door turns into ``delegate(account:grant:)``.
    case person(account: AccountID)
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
        case .person(let a): a
        case .delegate(let a, _): a
        }
    }

    /// The person's own record, if they have one.
    public var ownRecord: PatientID? {
        if case .patient(_, let patient) = self { return patient }
        return nil
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
    /// For a proxy: the grant with the clinic's rules, judged afresh at every decision (it may be
    /// waiting for acceptance, or narrowed or ended by the patient's age).
    public let proxy: ProxyTerms?
    /// For a share link: the share, whose items are all its reader may see.
    public let share: ShareLink?

    public init(id: GrantID, kind: Kind, patient: PatientID, scopes: Set<Action>, expiresAt: Date?, revokedAt: Date?) {
        self.id = id
        self.kind = kind
        self.patient = patient
        self.scopes = scopes
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
        self.proxy = nil
        self.share = nil
    }

    /// A share link's grant: read (and download, if allowed) exactly the shared items until it ends.
    public init(share: ShareLink) {
        self.id = share.id
        self.kind = .shareLink
        self.patient = share.patient
        self.scopes = share.actions
        self.expiresAt = share.expiresAt
        self.revokedAt = share.revokedAt
        self.proxy = nil
        self.share = share
    }

    /// A proxy's grant, under the clinic's `rules` and time zone.
    public init(proxy grant: ProxyGrant, rules: ProxyRules, timeZone: TimeZone) {
        self.id = grant.id
        self.kind = .proxy
        self.patient = grant.patient
        self.scopes = grant.scopes.reduce(into: Set<Action>()) { $0.formUnion($1.actions) }
        self.expiresAt = grant.expiresAt
        self.revokedAt = grant.revokedAt
        self.proxy = ProxyTerms(grant: grant, rules: rules, timeZone: timeZone)
        self.share = nil
    }
}

/// A proxy grant as the policy judges it: the grant, the clinic's rules and the clinic's time zone
/// (a child's birthday begins at local midnight there).
public struct ProxyTerms: Sendable, Equatable {
    public let grant: ProxyGrant
    public let rules: ProxyRules
    public let timeZone: TimeZone

    public init(grant: ProxyGrant, rules: ProxyRules, timeZone: TimeZone) {
        self.grant = grant
        self.rules = rules
        self.timeZone = timeZone
    }
}

/// The patient whose record an action touches: only what the policy needs to know.
public struct PatientScope: Sendable, Equatable {
    public let id: PatientID
    public let organization: OrganizationID
    /// The patient's birth date: a parent's grant narrows and ends with the child's age. Without it, a
    /// grant that depends on age allows nothing.
    public let birthDate: BirthDate?

    public init(id: PatientID, organization: OrganizationID, birthDate: BirthDate? = nil) {
        self.id = id
        self.organization = organization
        self.birthDate = birthDate
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
