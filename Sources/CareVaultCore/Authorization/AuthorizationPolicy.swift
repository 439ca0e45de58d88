import Foundation

/// The one place CareVault decides who may do what. Every route that touches patient data asks it,
/// and records the answer's ``Basis`` in the audit log.
///
/// Rules:
/// - A patient may do every record action on their own record, and nothing on anyone else's.
/// - Clinicians and staff act only on patients of their own organization, and only after enrolling
///   a second factor. Clinicians may read, download, write, register patients and issue codes;
///   staff may read, register patients and issue codes. Both set up and end proxy access (a parent's,
///   a guardian's, an attorney's; or ending a parent's at an adolescent's request).
/// - Clinicians also release held results (sign-off).
/// - Administrators manage accounts and release rules; they have no access to clinical data.
/// - A delegate acts within its grant: the grant's patient, its scopes, before expiry, unrevoked.
///   A share link's reader sees exactly the shared items; patients (and proxies who may download)
///   share their record (``Action/shareRecord``).
public enum AuthorizationPolicy {
    static let clinicianActions: Set<Action> = [.readRecord, .downloadRecord, .writeRecord, .registerPatient, .issueActivationCode, .readAccessLog,
                                                .releaseRecord, .manageRecordAccess, .recordDisclosure]
    static let staffActions: Set<Action> = [.readRecord, .registerPatient, .issueActivationCode, .manageRecordAccess, .recordDisclosure]
    static let adminActions: Set<Action> = [.manageAccounts, .configureRelease, .configureAccess]
    static let patientOwnActions: Set<Action> = [.readRecord, .downloadRecord, .contributeToRecord, .readAccessLog, .manageRecordAccess,
                                                 .shareRecord]

    /// Decides whether `actor` may perform `action` on `patient`'s record (and `resource` within it) at `now`.
    public static func decide(
        _ actor: Actor,
        _ action: Action,
        patient: PatientScope?,
        resource: ResourceRef? = nil,
        at now: Date = Date()
    ) -> Decision {
        if action.concernsPatient && patient == nil { return .deny(.patientRequired) }

        switch actor {
        case .patient(_, let own):
            guard patientOwnActions.contains(action) else { return .deny(.actionNotAllowedForRole) }
            guard let patient, patient.id == own else { return .deny(.noRelationship) }
            return .permit(.ownRecord)

        case .staffMember(_, let role, let organization, let enrolled):
            let allowed: Set<Action> = switch role {
            case .clinician: clinicianActions
            case .staff: staffActions
            case .patient, .admin: []
            }
            guard allowed.contains(action) else { return .deny(.actionNotAllowedForRole) }
            guard enrolled else { return .deny(.secondFactorRequired) }
            guard let patient, patient.organization == organization else { return .deny(.noRelationship) }
            return .permit(.careTeam(role: role, organization: organization))

        case .admin(_, let enrolled):
            guard adminActions.contains(action) else { return .deny(.actionNotAllowedForRole) }
            guard enrolled else { return .deny(.secondFactorRequired) }
            return .permit(.administration)

        case .person:
            // No record of their own: only a grant (a delegate) opens anyone's.
            return .deny(.noRelationship)

        case .delegate(_, let grant):
            guard let patient, patient.id == grant.patient else { return .deny(.noRelationship) }
            if let proxy = grant.proxy { return decide(proxy, action, patient: patient, at: now) }
            if let share = grant.share, share.grantEnded(at: now) == .locked { return .deny(.shareLocked) }
            if let revoked = grant.revokedAt, revoked <= now { return .deny(.grantRevoked) }
            if let expires = grant.expiresAt, expires <= now { return .deny(.grantExpired) }
            // A delegate never manages others' access unless the patient granted exactly that.
            guard grant.scopes.contains(action) else { return .deny(.outsideGrantScope) }
            return .permit(.grant(kind: grant.kind, id: grant.id))
        }
    }

    /// A proxy's grant where it stands at `now`: waiting for acceptance, ended (revoked, expired, or the
    /// child came of age), or in force with its scopes' actions.
    static func decide(_ proxy: ProxyTerms, _ action: Action, patient: PatientScope, at now: Date) -> Decision {
        guard let birthDate = patient.birthDate else { return .deny(.noRelationship) }
        switch proxy.grant.standing(at: now, patientBirthDate: birthDate, timeZone: proxy.timeZone, rules: proxy.rules) {
        case .invited: return .deny(.grantNotAccepted)
        case .ended(.revoked): return .deny(.grantRevoked)
        case .ended(.expired): return .deny(.grantExpired)
        case .ended(.patientCameOfAge): return .deny(.patientCameOfAge)
        case .active(let actions, _):
            guard actions.contains(action) else { return .deny(.outsideGrantScope) }
            return .permit(.grant(kind: .proxy, id: proxy.grant.id))
        }
    }

    /// What `actor`, permitted on `basis`, may see of `patient`'s record at `now`: the basis's view
    /// (``RecordVisibility/of(_:at:)``), narrowed for a proxy by the grant (a parent of an adolescent sees
    /// the limited set, never the confidential categories). Decided here, with the permit, so no reader
    /// kind can be given more than the policy allows.
    public static func visibility(_ actor: Actor, basis: Basis, patient: PatientScope, at now: Date) -> RecordVisibility {
        var visibility = RecordVisibility.of(basis, at: Int64((now.timeIntervalSince1970 * 1000).rounded(.down)))
        guard case .delegate(_, let grant) = actor else { return visibility }
        if grant.kind == .shareLink {
            // Exactly what was shared, and nothing when the grant carries no share (fail closed).
            visibility.items = Set(grant.share?.items ?? [])
            return visibility
        }
        guard let proxy = grant.proxy else { return visibility }
        guard let birthDate = patient.birthDate,
              case .active(_, let narrowing) = proxy.grant.standing(at: now, patientBirthDate: birthDate, timeZone: proxy.timeZone, rules: proxy.rules)
        else { return visibility.narrowed(toTypes: []) }
        return visibility.narrowed(by: narrowing)
    }

    static let clinicianOrganizationActions = Set(OrganizationAction.allCases)
    static let staffOrganizationActions: Set<OrganizationAction> = [.findPatients, .registerPatient, .checkIdentities]

    /// Decides whether `actor` may do `action` across their own organization (a queue or a list, not
    /// one patient's record). Permitted only to enrolled clinicians and staff, with the basis naming the
    /// organization — the only one it can be about; patients, delegates and administrators never.
    public static func decide(_ actor: Actor, _ action: OrganizationAction) -> Decision {
        guard case .staffMember(_, let role, let organization, let enrolled) = actor else { return .deny(.actionNotAllowedForRole) }
        let allowed: Set<OrganizationAction> = switch role {
        case .clinician: clinicianOrganizationActions
        case .staff: staffOrganizationActions
        case .patient, .admin: []
        }
        guard allowed.contains(action) else { return .deny(.actionNotAllowedForRole) }
        guard enrolled else { return .deny(.secondFactorRequired) }
        return .permit(.careTeam(role: role, organization: organization))
    }

    /// Whether `actor` may read shared resources (practitioners, organizations, places, medicines),
    /// which hold no patient's data: anyone who may read some record — patients, delegates, and staff
    /// who enrolled a second factor; administrators have no clinical access.
    public static func mayReadSharedResources(_ actor: Actor) -> Bool {
        switch actor {
        case .patient, .delegate, .person: true
        case .staffMember(_, _, _, let enrolled): enrolled
        case .admin: false
        }
    }
}
