import CareVaultCore
import Foundation
import HummingbirdOTP

/// RFC 6238 time-based one-time codes (SHA-1, 6 digits, 30 s) via HummingbirdOTP, accepting the
/// previous, current and next step to allow for clock drift.
public enum TOTPVerifier {
    public static let period: TimeInterval = 30

    /// A new random secret (32 characters from a 62-letter alphabet, about 190 bits).
    public static func newSecret() -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        return String(SecureRandom.bytes(32).map { alphabet[Int($0) % alphabet.count] })
    }

    /// The `otpauth://` URI an authenticator app reads.
    public static func provisioningURI(secret: String, accountName: String, issuer: String) -> String {
        TOTP(secret: secret).createAuthenticatorURL(label: "\(issuer):\(accountName)", issuer: issuer)
    }

    /// The base32 secret as people type it in by hand (groups of four).
    public static func manualEntryKey(secret: String) -> String {
        let uri = TOTP(secret: secret).createAuthenticatorURL(label: "x")
        let key = uri.components(separatedBy: "secret=").last ?? ""
        return stride(from: 0, to: key.count, by: 4).map { i in
            let start = key.index(key.startIndex, offsetBy: i)
            return String(key[start..<key.index(start, offsetBy: min(4, key.count - i))])
        }.joined(separator: " ")
    }

    /// The time step of `code` if it matches a step within ±1 of `now`, else nil.
    public static func matchingStep(secret: String, code: String, at now: Date = Date()) -> Int64? {
        guard let value = Int(code) else { return nil }
        let totp = TOTP(secret: secret)
        let current = Int64((now.timeIntervalSince1970 / period).rounded(.down))
        for step in [current, current - 1, current + 1] {
            let at = Date(timeIntervalSince1970: Double(step) * period)
            if totp.compute(date: at) == value { return step }
        }
        return nil
    }
}
