import Crypto
import Foundation

/// Keyed hashes (HMAC-SHA256 with a key derived from the master key) of secrets handed out in links —
/// share tokens, SMART Health Link manifest ids, share sessions. A copy of the database alone cannot
/// be matched against a link someone holds.
public struct TokenHasher: Sendable {
    private let key: SymmetricKey

    /// A hasher for one `purpose` (different purposes give unrelated hashes of the same text).
    public init(masterKey: MasterKey, purpose: String) {
        key = masterKey.derivedKey(purpose: "token-hash:" + purpose)
    }

    /// The stored form of `token`.
    public func hash(_ token: String) -> String {
        HMAC<SHA256>.authenticationCode(for: Data(token.utf8), using: key).hexString
    }
}
