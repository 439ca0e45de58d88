import Foundation

/// Password rules from NIST SP 800-63B and OWASP ASVS 2.1: length and a breached-list check,
/// no composition rules, no expiry.
public struct PasswordPolicy: Sendable {
    /// Shortest accepted password, in Unicode code points.
    public static let minimumLength = 12
    /// Longest accepted password, in Unicode code points (ASVS asks that at least 64 be allowed).
    public static let maximumLength = 256

    private let breached: BreachedPasswordList

    public init(breached: BreachedPasswordList = .bundled) {
        self.breached = breached
    }

    /// The form in which a password is hashed and compared: Unicode NFKC, so the same password
    /// typed on two keyboards gives the same bytes.
    public static func normalize(_ password: String) -> String {
        password.precomposedStringWithCompatibilityMapping
    }

    /// Checks a new password. `context` holds words the password must not equal (email, names).
    public func validate(_ password: String, field: String = "password", context: [String] = []) throws(FieldError) {
        let normalized = Self.normalize(password)
        let length = normalized.unicodeScalars.count
        if length < Self.minimumLength {
            throw FieldError(field: field, message: "Use at least \(Self.minimumLength) characters. A few unrelated words make a strong password that is easy to remember.")
        }
        if length > Self.maximumLength {
            throw FieldError(field: field, message: "Use at most \(Self.maximumLength) characters.")
        }
        let lowered = normalized.lowercased()
        if breached.contains(lowered) {
            throw FieldError(field: field, message: "This password is on a list of passwords that criminals try first. Choose a different one.")
        }
        if context.contains(where: { !$0.isEmpty && lowered == $0.lowercased() }) {
            throw FieldError(field: field, message: "Do not use your email address or name as your password.")
        }
        if Set(normalized.unicodeScalars).count == 1 {
            throw FieldError(field: field, message: "A password made of one repeated character is too easy to guess.")
        }
    }
}
