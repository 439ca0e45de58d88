import Crypto
import Foundation

/// Hashes the short codes people type — activation codes (60 bits) and recovery codes (50 bits) —
/// with a key derived from the master key (HMAC-SHA256). Plain SHA-256 of so few bits could be
/// reversed from a copy of the database alone by trying every code; with the key kept apart from the
/// database (data/master.key), a leaked database gives nothing to try against.
public struct CodeHasher: Sendable {
    /// Marks a keyed hash, so hashes stored before keys were used can be found and re-keyed.
    public static let prefix = "k1:"
    private let key: SymmetricKey

    public init(masterKey: MasterKey) {
        key = masterKey.derivedKey(purpose: "human-code-hash")
    }

    /// What is stored for a code typed as `input` (case, spaces and dashes ignored, as ``HumanCode`` reads it).
    public func hash(_ input: String) -> String {
        rekey(SecretToken.hash(HumanCode.normalize(input)))
    }

    /// The keyed form of a code's plain SHA-256 (hex), as stored before: the same as ``hash(_:)`` of the code.
    public func rekey(_ unkeyed: String) -> String {
        Self.prefix + HMAC<SHA256>.authenticationCode(for: Data(unkeyed.utf8), using: key).hexString
    }
}
