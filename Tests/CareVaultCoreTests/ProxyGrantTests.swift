import CareVaultCore
import Foundation
import Testing

/// Where a proxy grant stands: every state, every scope, and a child's birthdays crossed on the
/// clinic's calendar with an injected clock.
@Suite("Proxy grants")
struct ProxyGrantTests {
    static let zone = TimeZone(identifier: "America/Los_Angeles")!
    static let rules = ProxyRules()

    /// Local `YYYY-MM-DD HH:mm` in the clinic's zone as an instant.
    static func at(_ text: String) -> Date {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = zone
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return formatter.date(from: text)!
    }

    static func grant(_ relationship: ProxyRelationship, scopes: Set<ProxyScope> = ProxyScope.defaults, accepted: Bool = true,
                      expires: Date? = nil, revoked: Date? = nil) -> ProxyGrant {
        ProxyGrant(patient: PatientID(), relationship: relationship, scopes: scopes, acceptedAt: accepted ? at("2020-01-01 09:00") : nil,
                   expiresAt: expires, revokedAt: revoked)
    }

    @Test("Age counts whole years on the clinic's calendar; a 29 February birthday falls on 1 March")
    func age() {
        let born = BirthDate("2010-06-15")!
        #expect(born.age(at: Self.at("2022-06-14 23:59"), in: Self.zone) == 11)
        #expect(born.age(at: Self.at("2022-06-15 00:00"), in: Self.zone) == 12)
        // 07:00 UTC on the 15th is still the 14th in Los Angeles: not 12 there yet.
        let utcMorning = ISO8601DateFormatter().date(from: "2022-06-15T06:59:00Z")!
        #expect(born.age(at: utcMorning, in: Self.zone) == 11)
        #expect(born.age(at: utcMorning, in: TimeZone(identifier: "UTC")!) == 12)
        let leap = BirthDate("2008-02-29")!
        #expect(leap.age(at: Self.at("2026-02-28 12:00"), in: Self.zone) == 17)
        #expect(leap.age(at: Self.at("2026-03-01 00:00"), in: Self.zone) == 18)
        #expect(leap.age(at: Self.at("2028-02-29 00:00"), in: Self.zone) == 20)
        #expect(leap.instant(turning: 18, in: Self.zone) == Self.at("2026-03-01 00:00"))
    }

    @Test("Invited, accepted, expired, revoked: only an accepted grant in force allows anything")
    func states() {
        let now = Self.at("2026-12-03 10:00"), adult = BirthDate("1950-01-01")!
        let active = Self.grant(.caregiver, expires: Self.at("2027-06-01 00:00"))
        guard case .active(let actions, let narrowing) = active.standing(at: now, patientBirthDate: adult, timeZone: Self.zone, rules: Self.rules)
        else { Issue.record("an accepted grant in force is active"); return }
        #expect(actions == [.readRecord, .readAccessLog, .downloadRecord, .shareRecord, .contributeToRecord])
        #expect(narrowing == .none)
        #expect(Self.grant(.caregiver, accepted: false).standing(at: now, patientBirthDate: adult, timeZone: Self.zone, rules: Self.rules) == .invited)
        #expect(Self.grant(.caregiver, expires: now).standing(at: now, patientBirthDate: adult, timeZone: Self.zone, rules: Self.rules)
                == .ended(.expired))
        #expect(Self.grant(.caregiver, revoked: now).standing(at: now, patientBirthDate: adult, timeZone: Self.zone, rules: Self.rules)
                == .ended(.revoked))
        // A revocation refuses the very next request: one millisecond before, still active.
        #expect(Self.grant(.caregiver, revoked: now.addingTimeInterval(0.001))
            .standing(at: now, patientBirthDate: adult, timeZone: Self.zone, rules: Self.rules) != .ended(.revoked))
        // A guardianship without an end date lasts until revoked.
        if case .active = Self.grant(.guardian).standing(at: Self.at("2090-01-01 00:00"), patientBirthDate: adult, timeZone: Self.zone, rules: Self.rules) {
        } else { Issue.record("a guardianship without an end lasts") }
    }

    @Test("Every scope allows exactly its actions; scopes of features to come allow nothing yet", arguments: ProxyScope.allCases)
    func scopes(scope: ProxyScope) {
        let standing = Self.grant(.caregiver, scopes: [scope]).standing(at: Self.at("2026-12-03 10:00"), patientBirthDate: BirthDate("1950-01-01")!,
                                                                       timeZone: Self.zone, rules: Self.rules)
        #expect(standing == .active(actions: scope.actions, narrowing: .none))
        #expect(scope.isAvailable == !scope.actions.isEmpty)
        #expect(!scope.actions.contains(.writeRecord) && !scope.actions.contains(.releaseRecord))
        #expect(ProxyScope.defaults.contains(scope) == (scope != .manageProxies))
    }

    @Test("A parent's grant: whole record at 11, narrowed from the 12th birthday, ended on the 18th, on the clinic's calendar")
    func growingUp() {
        let child = BirthDate("2010-06-15")!
        let parent = Self.grant(.parent)
        func standing(_ local: String, rules: ProxyRules = Self.rules) -> ProxyGrant.Standing {
            parent.standing(at: Self.at(local), patientBirthDate: child, timeZone: Self.zone, rules: rules)
        }
        let actions = ProxyScope.defaults.reduce(into: Set<Action>()) { $0.formUnion($1.actions) }
        #expect(standing("2022-06-14 23:59") == .active(actions: actions, narrowing: .none))
        let adolescent = ProxyGrant.Narrowing(resourceTypes: Self.rules.adolescentParentTypes, hiddenCategories: Self.rules.confidentialCategories,
                                              hiddenCodes: Self.rules.confidentialCodes)
        #expect(adolescent.hiddenCodes.contains("http://terminology.hl7.org/CodeSystem/v3-ActCode|PSY"))
        #expect(standing("2022-06-15 00:00") == .active(actions: actions, narrowing: adolescent))
        #expect(standing("2028-06-14 23:59") == .active(actions: actions, narrowing: adolescent))
        #expect(standing("2028-06-15 00:00") == .ended(.patientCameOfAge))
        #expect(!adolescent.resourceTypes!.contains("Observation") && !adolescent.resourceTypes!.contains("DocumentReference"))
        // Clinical notes hidden from parents at every age, when the clinic chooses.
        var notesHidden = Self.rules
        notesHidden.hidesClinicalNotesFromParents = true
        #expect(standing("2015-01-01 12:00", rules: notesHidden)
                == .active(actions: actions, narrowing: .init(resourceTypes: nil, hiddenCategories: notesHidden.clinicalNoteCategories)))
        // A caregiver's grant of an adult never narrows by age, nor ends at 18.
        #expect(Self.grant(.caregiver).standing(at: Self.at("2028-06-15 00:00"), patientBirthDate: child, timeZone: Self.zone, rules: Self.rules)
                == .active(actions: actions, narrowing: .none))
    }

    @Test("A grant's narrowing only ever takes away from what the patient sees")
    func narrowing() {
        let patientView = RecordVisibility.of(.ownRecord, at: 1_000)
        let adolescent = ProxyGrant.Narrowing(resourceTypes: ["Immunization", "Patient"], hiddenCategories: ["mental-health"])
        let narrowed = patientView.narrowed(by: adolescent)
        #expect(narrowed.release == patientView.release)
        #expect(narrowed.resourceTypes == ["Immunization", "Patient"])
        #expect(narrowed.hiddenCategories == ["mental-health"])
        #expect(!narrowed.allows(type: "Observation", id: "x", category: nil, availableAt: 0))
        #expect(!narrowed.allows(type: "Immunization", id: "x", category: "mental-health", availableAt: 0))
        #expect(narrowed.allows(type: "Immunization", id: "x", category: nil, availableAt: 0))
        #expect(!narrowed.allows(type: "Immunization", id: "x", category: nil, availableAt: 2_000))  // not released yet
        // Already limited to fewer types: the grant cannot widen it.
        let limited = RecordVisibility(release: .releasedBy(1_000), resourceTypes: ["Patient"])
        #expect(limited.narrowed(by: adolescent).resourceTypes == ["Patient"])
        #expect(patientView.narrowed(by: .none) == patientView)
    }

    @Test("An adult grant lasts at most 18 months, to the same local time across a change of daylight saving")
    func adultMaximum() {
        #expect(ProxyGrant.latestEnd(from: Self.at("2026-12-03 10:00"), rules: Self.rules, timeZone: Self.zone) == Self.at("2028-06-03 10:00"))
    }

    @Test("The clinic's today, and the same day some years earlier (29 February falls back to the 28th)")
    func clinicDays() {
        let utcMorning = ISO8601DateFormatter().date(from: "2022-06-15T06:59:00Z")!
        #expect(BirthDate(utcMorning, in: Self.zone).description == "2022-06-14")
        #expect(BirthDate(utcMorning, in: TimeZone(identifier: "UTC")!).description == "2022-06-15")
        #expect(BirthDate.sameDay(yearsBefore: 18, BirthDate("2026-06-15")!).description == "2008-06-15")
        #expect(BirthDate.sameDay(yearsBefore: 6, BirthDate("2028-02-29")!).description == "2022-02-28")
        #expect(ProxyGrant.end(months: 12, from: Self.at("2026-03-01 09:00"), timeZone: Self.zone) == Self.at("2027-03-01 09:00"))
    }
}
