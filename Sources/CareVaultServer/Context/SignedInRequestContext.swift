import CareVaultCore
import CareVaultStore
import Hummingbird

/// The context of routes that need a fully signed-in account. It cannot be made without one:
/// creating it redirects to sign-in (or to the second-factor step) instead.
public struct SignedInRequestContext: ChildRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let session: ActiveSession
    public let csrfToken: String
    public let info: RequestInfo
    /// Where the record's door notes what this request opened and showed.
    let recordAudit: RecordAccessAudit
    /// The record the path names, when this person holds proxy grants (for the banner).
    let recordInPath: String?

    public var account: Account { session.account }

    public init(context: AppRequestContext) throws {
        guard let session = context.session, session.record.stage == .signedIn else {
            if context.isAPIRequest { throw HTTPError(.unauthorized, message: "Sign in to use this API.") }
            throw Redirect.to(context.session == nil ? Paths.signIn : Paths.signInCode)
        }
        self.coreContext = context.coreContext
        self.session = session
        self.csrfToken = context.csrfToken
        self.info = context.info
        self.recordAudit = context.recordAudit
        self.recordInPath = context.recordInPath
    }

    /// The actor the authorization policy judges.
    public var actor: Actor { Actor(account: account) }
}

/// The context of the second-factor step: a session whose password was accepted.
public struct PendingSecondFactorRequestContext: ChildRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let session: ActiveSession
    public let csrfToken: String
    public let info: RequestInfo

    public init(context: AppRequestContext) throws {
        guard let session = context.session else { throw Redirect.to(Paths.signIn) }
        guard session.record.stage == .awaitingSecondFactor else { throw Redirect.to(Paths.home) }
        self.coreContext = context.coreContext
        self.session = session
        self.csrfToken = context.csrfToken
        self.info = context.info
    }
}

/// The context of staff pages: a signed-in clinician, staff member or admin who has enrolled a
/// second factor. Without one they are sent to enrol first.
public struct StaffRequestContext: ChildRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let session: ActiveSession
    public let csrfToken: String
    public let info: RequestInfo
    let recordAudit: RecordAccessAudit

    public var account: Account { session.account }
    public var actor: Actor { Actor(account: account) }

    public init(context: AppRequestContext) throws {
        let signedIn = try SignedInRequestContext(context: context)
        self.recordAudit = signedIn.recordAudit
        guard signedIn.account.role != .patient else { throw HTTPError(.notFound) }
        guard signedIn.account.hasSecondFactor else { throw Redirect.to(Paths.twoFactor + "?notice=enrol-required") }
        self.coreContext = signedIn.coreContext
        self.session = signedIn.session
        self.csrfToken = signedIn.csrfToken
        self.info = signedIn.info
    }
}

extension Actor {
    /// The actor for a signed-in account.
    public init(account: Account) {
        switch account.role {
        case .patient:
            if let patient = account.patient {
                self = .patient(account: account.id, patient: patient)
            } else {
                // Someone who signed up to act for others (a proxy only): no record of their own.
                self = .person(account: account.id)
            }
        case .clinician, .staff:
            self = .staffMember(account: account.id, role: account.role,
                                organization: account.organization ?? OrganizationID(),
                                secondFactorEnrolled: account.hasSecondFactor)
        case .admin:
            self = .admin(account: account.id, secondFactorEnrolled: account.hasSecondFactor)
        }
    }
}
