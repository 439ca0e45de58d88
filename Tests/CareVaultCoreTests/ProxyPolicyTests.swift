import CareVaultCore
import Foundation
import Testing

/// The policy's decision table for proxies: a grant in every state, every scope, staff-made grants,
/// and a child's ages 11 → 12 → 17 → 18 on the clinic's calendar with an injected clock; and what the
/// record's door may show each of them.
@Suite("Proxy decisions")
struct ProxyPolicyTests {
    static let zone = ProxyGrantTests.zone
    static let rules = ProxyRules()
    static let child = PatientScope(id: PatientID(), organization: OrganizationID(), birthDate: BirthDate("2010-06-15")!)

    static func actor(_ grant: ProxyGrant) -> Actor {
        .delegate(account: AccountID(), grant: AccessGrant(proxy: grant, rules: rules, timeZone: zone))
    }

    static func grant(_ relationship: ProxyRelationship, scopes: Set<ProxyScope> = [.seeRecord, .download, .contribute], accepted: Bool = true,
                      expires: Date? = nil, revoked: Date? = nil, patient: PatientScope = child) -> ProxyGrant {
        ProxyGrant(patient: patient.id, relationship: relationship, scopes: scopes,
                   acceptedAt: accepted ? ProxyGrantTests.at("2020-01-01 09:00") : nil, expiresAt: expires, revokedAt: revoked)
    }

    static let now = ProxyGrantTests.at("2021-06-01 12:00")

    @Test("Every state: invited allows nothing, accepted allows its scopes, expired and revoked end at that instant")
    func states() {
        let soon = Self.now.addingTimeInterval(60)
        let table: [(ProxyGrant, Decision)] = [
            (Self.grant(.caregiver, accepted: false), .deny(.grantNotAccepted)),
            (Self.grant(.caregiver), .permit(.grant(kind: .proxy, id: GrantID()))),
            (Self.grant(.caregiver, expires: Self.now), .deny(.grantExpired)),
            (Self.grant(.caregiver, expires: soon), .permit(.grant(kind: .proxy, id: GrantID()))),
            (Self.grant(.caregiver, revoked: Self.now), .deny(.grantRevoked)),
            (Self.grant(.caregiver, revoked: soon), .permit(.grant(kind: .proxy, id: GrantID()))),
            (Self.grant(.caregiver, accepted: false, revoked: Self.now), .deny(.grantRevoked)),
        ]
        for (grant, expected) in table {
            let decision = AuthorizationPolicy.decide(Self.actor(grant), .readRecord, patient: Self.child, at: Self.now)
            switch (decision, expected) {
            case (.permit(.grant(.proxy, let id)), .permit): #expect(id == grant.id)
            default: #expect(decision == expected, "\(grant)")
            }
        }
    }

    @Test("Each scope allows exactly its actions; nothing else, and never another patient's record")
    func scopes() {
        for scope in ProxyScope.allCases {
            let actor = Self.actor(Self.grant(.caregiver, scopes: [scope]))
            for action in Action.allCases where action.concernsPatient {
                let decision = AuthorizationPolicy.decide(actor, action, patient: Self.child, at: Self.now)
                #expect(decision.isPermitted == scope.actions.contains(action), "\(scope) \(action)")
                if !decision.isPermitted { #expect(decision == .deny(.outsideGrantScope)) }
            }
        }
        let everything = Self.actor(Self.grant(.caregiver, scopes: Set(ProxyScope.allCases)))
        for action in [Action.writeRecord, .releaseRecord, .registerPatient, .issueActivationCode] {
            #expect(AuthorizationPolicy.decide(everything, action, patient: Self.child, at: Self.now) == .deny(.outsideGrantScope))
        }
        let other = PatientScope(id: PatientID(), organization: Self.child.organization, birthDate: Self.child.birthDate)
        #expect(AuthorizationPolicy.decide(everything, .readRecord, patient: other, at: Self.now) == .deny(.noRelationship))
        // Without the patient's birth date, an age-bound grant allows nothing (fail closed).
        let undated = PatientScope(id: Self.child.id, organization: Self.child.organization)
        #expect(AuthorizationPolicy.decide(everything, .readRecord, patient: undated, at: Self.now) == .deny(.noRelationship))
        // Someone with no record of their own opens nothing without a grant.
        #expect(AuthorizationPolicy.decide(.person(account: AccountID()), .readRecord, patient: Self.child, at: Self.now) == .deny(.noRelationship))
    }

    @Test("A parent: whole record at 11, the adolescent set without confidential categories from 12, nothing from the 18th birthday")
    func ages() {
        let parent = Self.actor(Self.grant(.parent))
        let basis = Basis.grant(kind: .proxy, id: GrantID())
        func visibility(at date: Date) -> RecordVisibility {
            AuthorizationPolicy.visibility(parent, basis: basis, patient: Self.child, at: date)
        }
        // 11: everything released to the patient.
        let eleven = visibility(at: ProxyGrantTests.at("2022-06-14 23:59"))
        #expect(eleven.resourceTypes == nil && eleven.hiddenCategories.isEmpty)
        #expect(AuthorizationPolicy.decide(parent, .readRecord, patient: Self.child, at: ProxyGrantTests.at("2022-06-14 23:59")).isPermitted)
        // 12 at local midnight: the limited set, confidential categories hidden.
        let twelve = visibility(at: ProxyGrantTests.at("2022-06-15 00:00"))
        #expect(twelve.resourceTypes == Self.rules.adolescentParentTypes)
        #expect(twelve.hiddenCategories == Self.rules.confidentialCategories)
        #expect(!twelve.allows(type: "Observation", id: "x", category: "laboratory", availableAt: 0))
        #expect(twelve.allows(type: "Immunization", id: "x", category: nil, availableAt: 0))
        #expect(!twelve.allows(type: "MedicationRequest", id: "x", category: "sexual-reproductive-health", availableAt: 0))
        // 17, the day before: still limited, still permitted.
        let lastDay = ProxyGrantTests.at("2028-06-14 23:59")
        #expect(AuthorizationPolicy.decide(parent, .readRecord, patient: Self.child, at: lastDay).isPermitted)
        #expect(visibility(at: lastDay).resourceTypes == Self.rules.adolescentParentTypes)
        // 18: over, at local midnight, whatever the grant's own end; and what it could see is nothing.
        let birthday = ProxyGrantTests.at("2028-06-15 00:00")
        #expect(AuthorizationPolicy.decide(parent, .readRecord, patient: Self.child, at: birthday) == .deny(.patientCameOfAge))
        #expect(visibility(at: birthday).resourceTypes == [])
        // A caregiver (an adult's) and a guardian are not narrowed by the patient's age.
        for relationship in [ProxyRelationship.caregiver, .guardian, .powerOfAttorney] {
            let other = Self.actor(Self.grant(relationship))
            #expect(AuthorizationPolicy.decide(other, .readRecord, patient: Self.child, at: birthday).isPermitted)
            #expect(AuthorizationPolicy.visibility(other, basis: basis, patient: Self.child, at: birthday).resourceTypes == nil)
        }
    }

    @Test("A widened parent's grant lifts the adolescent set until its review date, never the confidential codes")
    func widened() {
        let at13 = ProxyGrantTests.at("2023-07-01 12:00")
        let grant = ProxyGrant(patient: Self.child.id, relationship: .parent, scopes: [.seeRecord], acceptedAt: ProxyGrantTests.at("2020-01-01 09:00"),
                               expiresAt: nil, widenedUntil: at13.addingTimeInterval(60))
        let actor = Self.actor(grant)
        let widened = AuthorizationPolicy.visibility(actor, basis: .grant(kind: .proxy, id: grant.id), patient: Self.child, at: at13)
        #expect(widened.resourceTypes == nil && widened.hiddenCodes == Self.rules.confidentialCodes)
        let lapsed = AuthorizationPolicy.visibility(actor, basis: .grant(kind: .proxy, id: grant.id), patient: Self.child, at: at13.addingTimeInterval(60))
        #expect(lapsed.resourceTypes == Self.rules.adolescentParentTypes)
    }

    @Test("Clinic rules: clinical notes hidden from parents at every age when the admin says so")
    func clinicalNotes() {
        var rules = ProxyRules()
        rules.hidesClinicalNotesFromParents = true
        let parent = Actor.delegate(account: AccountID(), grant: AccessGrant(proxy: Self.grant(.parent), rules: rules, timeZone: Self.zone))
        let young = AuthorizationPolicy.visibility(parent, basis: .grant(kind: .proxy, id: GrantID()), patient: Self.child,
                                                   at: ProxyGrantTests.at("2015-01-01 12:00"))
        #expect(young.hiddenCategories == rules.clinicalNoteCategories && young.resourceTypes == nil)
        #expect(young.releasedBy != nil, "a proxy never sees what is held for the clinician")
    }

    @Test("The patient's own, the care team's and a plain grant's visibility are not narrowed")
    func others() {
        let own = AuthorizationPolicy.visibility(.patient(account: AccountID(), patient: Self.child.id), basis: .ownRecord, patient: Self.child, at: Self.now)
        #expect(own.resourceTypes == nil && own.hiddenCategories.isEmpty && own.releasedBy != nil)
        let team = AuthorizationPolicy.visibility(.staffMember(account: AccountID(), role: .clinician, organization: Self.child.organization,
                                                               secondFactorEnrolled: true),
                                                  basis: .careTeam(role: .clinician, organization: Self.child.organization), patient: Self.child, at: Self.now)
        #expect(team.seesHeld)
    }
}
