import CareVaultCore
import Foundation
import Testing

@Suite("Authorization policy decision table")
struct AuthorizationPolicyTests {
    static let org = OrganizationID()
    static let otherOrg = OrganizationID()
    static let mine = PatientScope(id: PatientID(), organization: org)
    static let theirs = PatientScope(id: PatientID(), organization: org)
    static let foreign = PatientScope(id: PatientID(), organization: otherOrg)
    static let now = Date(timeIntervalSince1970: 2_000_000_000)

    static let patient = Actor.patient(account: AccountID(), patient: mine.id)
    static func staff(_ role: Role, enrolled: Bool = true) -> Actor {
        .staffMember(account: AccountID(), role: role, organization: org, secondFactorEnrolled: enrolled)
    }

    static let recordActions = Action.allCases.filter(\.concernsPatient)

    @Test("A patient may do every own-record action on their own record only", arguments: Action.allCases)
    func patient(action: Action) {
        let own = AuthorizationPolicy.decide(Self.patient, action, patient: action.concernsPatient ? Self.mine : nil, at: Self.now)
        let expected: Set<Action> = [.readRecord, .downloadRecord, .contributeToRecord, .readAccessLog, .manageRecordAccess, .shareRecord]
        if expected.contains(action) {
            #expect(own == .permit(.ownRecord))
            #expect(AuthorizationPolicy.decide(Self.patient, action, patient: Self.theirs, at: Self.now) == .deny(.noRelationship))
        } else {
            #expect(own == .deny(.actionNotAllowedForRole))
        }
    }

    @Test("Organization work (lists and queues): enrolled clinicians all of it, staff the front desk, nobody else; always their own organization",
          arguments: OrganizationAction.allCases)
    func organizationActions(action: OrganizationAction) {
        let frontDesk: Set<OrganizationAction> = [.findPatients, .registerPatient, .checkIdentities]
        #expect(AuthorizationPolicy.decide(Self.staff(.clinician), action) == .permit(.careTeam(role: .clinician, organization: Self.org)))
        #expect(AuthorizationPolicy.decide(Self.staff(.staff), action)
                == (frontDesk.contains(action) ? .permit(.careTeam(role: .staff, organization: Self.org)) : .deny(.actionNotAllowedForRole)))
        #expect(AuthorizationPolicy.decide(Self.staff(.clinician, enrolled: false), action) == .deny(.secondFactorRequired))
        #expect(AuthorizationPolicy.decide(Self.patient, action) == .deny(.actionNotAllowedForRole))
        #expect(AuthorizationPolicy.decide(.admin(account: AccountID(), secondFactorEnrolled: true), action) == .deny(.actionNotAllowedForRole))
        let grant = AccessGrant(id: GrantID(), kind: .proxy, patient: Self.mine.id, scopes: Set(Action.allCases), expiresAt: nil, revokedAt: nil)
        #expect(AuthorizationPolicy.decide(.delegate(account: AccountID(), grant: grant), action) == .deny(.actionNotAllowedForRole))
    }

    @Test("Clinicians and staff: their organization only, by role, after enrolling", arguments: [Role.clinician, .staff], Action.allCases)
    func staffMember(role: Role, action: Action) {
        let allowed: Set<Action> = role == .clinician
            ? [.readRecord, .downloadRecord, .writeRecord, .registerPatient, .issueActivationCode, .readAccessLog, .releaseRecord, .manageRecordAccess,
               .recordDisclosure]
            : [.readRecord, .registerPatient, .issueActivationCode, .manageRecordAccess, .recordDisclosure]
        let scope = action.concernsPatient ? Self.theirs : nil
        let decision = AuthorizationPolicy.decide(Self.staff(role), action, patient: scope, at: Self.now)
        if allowed.contains(action) {
            guard case .permit(.careTeam(role, Self.org)) = decision else {
                Issue.record("expected a care-team permit, got \(decision)")
                return
            }
            #expect(AuthorizationPolicy.decide(Self.staff(role), action, patient: Self.foreign, at: Self.now) == .deny(.noRelationship))
            #expect(AuthorizationPolicy.decide(Self.staff(role, enrolled: false), action, patient: scope, at: Self.now) == .deny(.secondFactorRequired))
        } else {
            #expect(decision == .deny(.actionNotAllowedForRole))
        }
    }

    @Test("Administrators manage accounts and see no clinical data", arguments: Action.allCases)
    func admin(action: Action) {
        let admin = Actor.admin(account: AccountID(), secondFactorEnrolled: true)
        let decision = AuthorizationPolicy.decide(admin, action, patient: action.concernsPatient ? Self.mine : nil, at: Self.now)
        let adminActions: Set<Action> = [.manageAccounts, .configureRelease, .configureAccess]
        #expect(decision == (adminActions.contains(action) ? .permit(.administration) : .deny(.actionNotAllowedForRole)))
        if adminActions.contains(action) {
            #expect(AuthorizationPolicy.decide(.admin(account: AccountID(), secondFactorEnrolled: false), action, patient: nil) == .deny(.secondFactorRequired))
        }
    }

    @Test("A delegate acts within its grant: patient, scopes, expiry and revocation")
    func delegate() {
        func grant(scopes: Set<Action> = [.readRecord], expires: Date? = nil, revoked: Date? = nil) -> Actor {
            .delegate(account: AccountID(), grant: AccessGrant(id: GrantID(), kind: .proxy, patient: Self.mine.id, scopes: scopes,
                                                              expiresAt: expires, revokedAt: revoked))
        }
        guard case .permit(.grant(.proxy, _)) = AuthorizationPolicy.decide(grant(), .readRecord, patient: Self.mine, at: Self.now) else {
            Issue.record("a proxy with read scope should read")
            return
        }
        #expect(AuthorizationPolicy.decide(grant(), .downloadRecord, patient: Self.mine, at: Self.now) == .deny(.outsideGrantScope))
        #expect(AuthorizationPolicy.decide(grant(), .manageRecordAccess, patient: Self.mine, at: Self.now) == .deny(.outsideGrantScope))
        #expect(AuthorizationPolicy.decide(grant(), .readRecord, patient: Self.theirs, at: Self.now) == .deny(.noRelationship))
        #expect(AuthorizationPolicy.decide(grant(expires: Self.now), .readRecord, patient: Self.mine, at: Self.now) == .deny(.grantExpired))
        #expect(AuthorizationPolicy.decide(grant(expires: Self.now.addingTimeInterval(60)), .readRecord, patient: Self.mine, at: Self.now).isPermitted)
        #expect(AuthorizationPolicy.decide(grant(revoked: Self.now.addingTimeInterval(-1)), .readRecord, patient: Self.mine, at: Self.now) == .deny(.grantRevoked))
    }

    @Test("A share link's reader reads (and downloads, if allowed) exactly the shared items, until it is ended, expires or locks")
    func shareLink() {
        func share(download: Bool = false, expires: Date? = nil, revoked: Date? = nil, locked: Date? = nil) -> ShareLink {
            ShareLink(patient: Self.mine.id, label: "For Dr A", note: nil, items: ["Observation/1", "Binary/2"], createdAt: Self.now.addingTimeInterval(-60),
                      expiresAt: expires ?? Self.now.addingTimeInterval(3600), onceOnly: false, allowsDownload: download, asksBirthDate: false,
                      revokedAt: revoked, lockedAt: locked)
        }
        func reader(_ share: ShareLink) -> Actor { .delegate(account: nil, grant: AccessGrant(share: share)) }
        let open = share()
        guard case .permit(let basis) = AuthorizationPolicy.decide(reader(open), .readRecord, patient: Self.mine, at: Self.now),
              case .grant(.shareLink, open.id) = basis else { Issue.record("a share's reader reads"); return }
        #expect(AuthorizationPolicy.visibility(reader(open), basis: basis, patient: Self.mine, at: Self.now).items == ["Observation/1", "Binary/2"])
        // Fail closed: a share-link grant without its share sees nothing.
        let bare = Actor.delegate(account: nil, grant: AccessGrant(id: open.id, kind: .shareLink, patient: Self.mine.id, scopes: [.readRecord],
                                                                   expiresAt: nil, revokedAt: nil))
        #expect(AuthorizationPolicy.visibility(bare, basis: basis, patient: Self.mine, at: Self.now).items == [])
        #expect(AuthorizationPolicy.decide(reader(open), .downloadRecord, patient: Self.mine, at: Self.now) == .deny(.outsideGrantScope))
        #expect(AuthorizationPolicy.decide(reader(share(download: true)), .downloadRecord, patient: Self.mine, at: Self.now).isPermitted)
        for action in [Action.writeRecord, .contributeToRecord, .readAccessLog, .manageRecordAccess, .shareRecord] {
            #expect(AuthorizationPolicy.decide(reader(share(download: true)), action, patient: Self.mine, at: Self.now) == .deny(.outsideGrantScope))
        }
        #expect(AuthorizationPolicy.decide(reader(open), .readRecord, patient: Self.theirs, at: Self.now) == .deny(.noRelationship))
        #expect(AuthorizationPolicy.decide(reader(share(expires: Self.now)), .readRecord, patient: Self.mine, at: Self.now) == .deny(.grantExpired))
        #expect(AuthorizationPolicy.decide(reader(share(revoked: Self.now)), .readRecord, patient: Self.mine, at: Self.now) == .deny(.grantRevoked))
        #expect(AuthorizationPolicy.decide(reader(share(locked: Self.now)), .readRecord, patient: Self.mine, at: Self.now) == .deny(.shareLocked))
        #expect(share().ended(at: Self.now) == nil && share(locked: Self.now).ended(at: Self.now) == .locked)
    }

    @Test("Start pages and menus follow the policy: the care team's by organization action, an administrator's settings, enrol first")
    func startPagesAndMenus() {
        let enrolledClinician = Actor.staffMember(account: AccountID(), role: .clinician, organization: Self.org, secondFactorEnrolled: true)
        let newClinician = Actor.staffMember(account: AccountID(), role: .clinician, organization: Self.org, secondFactorEnrolled: false)
        let frontDesk = Actor.staffMember(account: AccountID(), role: .staff, organization: Self.org, secondFactorEnrolled: true)
        let admin = Actor.admin(account: AccountID(), secondFactorEnrolled: true)
        let newAdmin = Actor.admin(account: AccountID(), secondFactorEnrolled: false)
        #expect(AuthorizationPolicy.startPage(for: Self.patient) == .ownRecord(Self.mine.id))
        #expect(AuthorizationPolicy.startPage(for: enrolledClinician) == .organizationPatients)
        #expect(AuthorizationPolicy.startPage(for: frontDesk) == .organizationPatients)
        #expect(AuthorizationPolicy.startPage(for: newClinician) == .enrolSecondFactor)
        #expect(AuthorizationPolicy.startPage(for: admin) == .accountSecurity)
        #expect(AuthorizationPolicy.startPage(for: newAdmin) == .enrolSecondFactor)
        for action in OrganizationAction.allCases {
            #expect(AuthorizationPolicy.offers(enrolledClinician, action))
            #expect(AuthorizationPolicy.offers(newClinician, action))  // shown; the page asks them to enrol
            #expect(AuthorizationPolicy.offers(frontDesk, action) == [.findPatients, .registerPatient, .checkIdentities].contains(action))
            #expect(!AuthorizationPolicy.offers(admin, action))
            #expect(!AuthorizationPolicy.offers(Self.patient, action))
        }
        #expect(AuthorizationPolicy.offers(admin, .configureRelease))
        #expect(!AuthorizationPolicy.offers(enrolledClinician, .configureRelease))
        #expect(!AuthorizationPolicy.offers(Self.patient, .configureRelease))
        #expect(!AuthorizationPolicy.offers(admin, .readRecord))  // a record action is never a menu offer
    }

    @Test("Record actions without a patient are refused for everyone", arguments: recordActions)
    func patientRequired(action: Action) {
        for actor in [Self.patient, Self.staff(.clinician), Actor.admin(account: AccountID(), secondFactorEnrolled: true)] {
            #expect(AuthorizationPolicy.decide(actor, action, patient: nil, at: Self.now) == .deny(.patientRequired))
        }
    }

    @Test("Bases are recorded in a stable form")
    func basisText() {
        let id = GrantID()
        #expect(Basis.ownRecord.description == "self")
        #expect(Basis.administration.description == "administration")
        #expect(Basis.careTeam(role: .clinician, organization: Self.org).description == "care-team:clinician:\(Self.org)")
        #expect(Basis.grant(kind: .shareLink, id: id).description == "grant:share-link:\(id)")
    }
}
