/// A link a template shows. `href` always comes from ``Paths``.
public struct Link: Sendable, Encodable {
    public let href: String
    public let text: String

    public init(href: String, text: String) {
        self.href = href
        self.text = text
    }
}

/// A hidden form value (never a secret other than the CSRF token or a link token already in the URL).
public struct HiddenField: Sendable, Encodable {
    public let name: String
    public let value: String
}
