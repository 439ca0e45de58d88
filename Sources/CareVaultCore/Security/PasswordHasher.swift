import Crypto
import Foundation
import HummingbirdBcrypt

/// Hashes passwords with bcrypt over an HMAC-SHA-256 pre-hash, so passwords longer than
/// bcrypt's 72-byte limit are not truncated and NUL bytes cannot cut them short.
///
/// Stored form: `bcrypt-sha256$<cost>$<bcrypt hash>`. The algorithm and cost are kept with each
/// hash, and ``needsUpgrade(_:)`` says when a stored hash should be replaced at the next sign-in.
public struct PasswordHasher: Sendable {
    public static let algorithm = "bcrypt-sha256"
    /// The production cost. Tests may pass a lower one to stay fast.
    public static let defaultCost: UInt8 = 12

    public let cost: UInt8

    public init(cost: UInt8 = PasswordHasher.defaultCost) {
        precondition((4...31).contains(cost), "bcrypt cost must be 4...31")
        self.cost = cost
    }

    /// Hashes a password (normalized with ``PasswordPolicy/normalize(_:)`` first).
    public func hash(_ password: String) -> String {
        let digest = Self.preHash(password)
        return "\(Self.algorithm)$\(cost)$\(Bcrypt.hash(digest, cost: cost))"
    }

    /// Checks a password against a stored hash in time that does not depend on where they differ.
    public func verify(_ password: String, against stored: String) -> Bool {
        guard let parsed = Self.parse(stored) else { return false }
        return Bcrypt.verify(Self.preHash(password), hash: parsed.bcrypt)
    }

    /// True when the stored hash was made with another algorithm or cost than this hasher's.
    public func needsUpgrade(_ stored: String) -> Bool {
        guard let parsed = Self.parse(stored) else { return true }
        return parsed.cost != cost
    }

    /// A hash of a random password, to verify against when an account does not exist, so a
    /// failed sign-in costs the same time either way.
    public func decoyHash() -> String {
        hash(SecretToken.generate().value)
    }

    private static func preHash(_ password: String) -> String {
        let normalized = PasswordPolicy.normalize(password)
        let key = SymmetricKey(data: Data("CareVault password pre-hash v1".utf8))
        let mac = HMAC<SHA256>.authenticationCode(for: Data(normalized.utf8), using: key)
        return Data(mac).base64EncodedString()
    }

    private static func parse(_ stored: String) -> (cost: UInt8, bcrypt: String)? {
        let parts = stored.split(separator: "$", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == algorithm, let cost = UInt8(parts[1]) else { return nil }
        return (cost, String(parts[2]))
    }
}
