import CareVaultCore
import Hummingbird
import NIOCore

/// The context every request starts with. Middleware fills in who is asking.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The address of the TCP peer (a proxy, if there is one in front).
    public let peerIP: String?
    /// The client's address: the peer's, or the one a trusted proxy forwarded.
    public var clientIP: String?
    public var userAgent: String?
    /// The session the cookie names, if it passed every check.
    public var session: ActiveSession?
    /// The token every form on the page must send back.
    public var csrfToken: String = ""
    /// True for API paths (`/fhir/`, `/api/`): they answer 401 instead of redirecting to sign-in.
    public var isAPIRequest = false
    /// The record the request's path names (`/patients/{id}/…`), for the "whose record is this" banner.
    public var recordInPath: String?
    /// The audit event of this request's access to a patient's record (one per request).
    let recordAudit = RecordAccessAudit()

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.peerIP = source.channel.remoteAddress?.ipAddress
        self.clientIP = peerIP
    }

    public var info: RequestInfo { RequestInfo(clientIP: clientIP, userAgent: userAgent) }
}

/// A redirect thrown from a context or handler (303, so the browser follows with GET).
enum Redirect {
    static func to(_ path: String) -> HTTPError {
        HTTPError(.seeOther, headers: [.location: path])
    }
}
