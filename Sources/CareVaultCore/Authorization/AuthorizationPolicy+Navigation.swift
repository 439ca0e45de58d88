import Foundation

extension AuthorizationPolicy {
    /// Whether to offer `actor` the way to `action` across their organization (a menu link): the policy
    /// permits it, or will once they enrol a second factor.
    public static func offers(_ actor: Actor, _ action: OrganizationAction) -> Bool {
        offered(decide(actor, action))
    }

    /// Whether to offer `actor` an action that concerns no one patient (administrators' settings).
    public static func offers(_ actor: Actor, _ action: Action) -> Bool {
        !action.concernsPatient && offered(decide(actor, action, patient: nil))
    }

    private static func offered(_ decision: Decision) -> Bool {
        switch decision {
        case .permit, .deny(.secondFactorRequired): true
        case .deny: false
        }
    }

    /// Whether `actor` opens records as a person — their own, and those they hold proxy grants to —
    /// rather than as a member of a care team or an administrator.
    public static func opensRecordsAsAPerson(_ actor: Actor) -> Bool {
        switch actor {
        case .patient, .person: true
        case .staffMember, .admin, .delegate: false
        }
    }

    /// Where a signed-in actor starts.
    public enum StartPage: Sendable, Equatable {
        /// A patient: their own record.
        case ownRecord(PatientID)
        /// The care team: their organization's patients.
        case organizationPatients
        /// An administrator: their account's security (the settings are in the menu).
        case accountSecurity
        /// Someone whose role needs a second factor they have not enrolled yet.
        case enrolSecondFactor
        /// Someone with no record of their own: the records they may open as a proxy.
        case proxiedRecords
        /// Nothing to start on (a delegate signs in through their grant, not here).
        case nothing
    }

    /// The page `actor` starts on, decided from what the policy lets them do.
    public static func startPage(for actor: Actor) -> StartPage {
        switch actor {
        case .patient(_, let patient): return .ownRecord(patient)
        case .person: return .proxiedRecords
        case .delegate: return .nothing
        case .staffMember, .admin:
            if decide(actor, .findPatients) == .deny(.secondFactorRequired)
                || decide(actor, .configureRelease, patient: nil) == .deny(.secondFactorRequired) { return .enrolSecondFactor }
            if decide(actor, .findPatients).isPermitted { return .organizationPatients }
            if decide(actor, .configureRelease, patient: nil).isPermitted { return .accountSecurity }
            return .nothing
        }
    }
}
