/// Where a request came from, for the audit log and the Devices page.
public struct RequestInfo: Sendable {
    public var clientIP: String?
    public var userAgent: String?

    public init(clientIP: String?, userAgent: String?) {
        self.clientIP = clientIP
        self.userAgent = userAgent.map { String($0.prefix(512)) }
    }

    public static let commandLine = RequestInfo(clientIP: nil, userAgent: "carevault-cli")
}
