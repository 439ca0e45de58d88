import Foundation

/// The one place CareVault decides who may do what. Every route that touches patient data asks it,
/// and records the answer's ``Basis`` in the audit log.
///
/// Rules:
/// - A patient may do every record action on their own record, and nothing on anyone else's.
/// - Clinicians and staff act only on patients of their own organization, and only after enrolling
///   a second factor. Clinicians may read, download, write, register patients and issue codes;
///   staff may read, register patients and issue codes.
/// - Clinicians also release held results (sign-off).
/// - Administrators manage accounts and release rules; they have no access to clinical data.
/// - A delegate acts within its grant: the grant's patient, its scopes, before expiry, unrevoked.
public enum AuthorizationPolicy {
    static let clinicianActions: Set<Action> = [.readRecord, .downloadRecord, .writeRecord, .registerPatient, .issueActivationCode, .readAccessLog,
                                                .releaseRecord]
    static let staffActions: Set<Action> = [.readRecord, .registerPatient, .issueActivationCode]
    static let adminActions: Set<Action> = [.manageAccounts, .configureRelease]
    static let patientOwnActions: Set<Action> = [.readRecord, .downloadRecord, .contributeToRecord, .readAccessLog, .manageRecordAccess]

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

        case .delegate(_, let grant):
            guard let patient, patient.id == grant.patient else { return .deny(.noRelationship) }
            if let revoked = grant.revokedAt, revoked <= now { return .deny(.grantRevoked) }
            if let expires = grant.expiresAt, expires <= now { return .deny(.grantExpired) }
            // A delegate never manages others' access unless the patient granted exactly that.
            guard grant.scopes.contains(action) else { return .deny(.outsideGrantScope) }
            return .permit(.grant(kind: grant.kind, id: grant.id))
        }
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
        case .patient, .delegate: true
        case .staffMember(_, _, _, let enrolled): enrolled
        case .admin: false
        }
    }
}
