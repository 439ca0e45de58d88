import Crypto
import Foundation

/// JSON Web Encryption in compact form with direct key agreement and AES-256-GCM (`alg: dir`,
/// `enc: A256GCM`, RFC 7516 / 7518), as SMART Health Links encrypt their files.
public enum CompactJWE {
    public enum Failure: Error, Equatable {
        case badKey, malformed, notAuthentic
    }

    /// `plaintext` encrypted with the 32-byte `key`, marked with its content type (`cty`).
    public static func encrypt(_ plaintext: Data, key: [UInt8], contentType: String) throws -> String {
        guard key.count == 32 else { throw Failure.badKey }
        let header = Base64URL.encode(Array(#"{"alg":"dir","enc":"A256GCM","cty":\#(JSONValue.string(contentType).jsonText)}"#.utf8))
        let sealed = try AES.GCM.seal(plaintext, using: SymmetricKey(data: key), nonce: AES.GCM.Nonce(), authenticating: Data(header.utf8))
        return [header, "", Base64URL.encode(sealed.nonce), Base64URL.encode(sealed.ciphertext), Base64URL.encode(sealed.tag)].joined(separator: ".")
    }

    /// The plaintext of a compact JWE made by ``encrypt(_:key:contentType:)`` (for tests and checks).
    public static func decrypt(_ jwe: String, key: [UInt8]) throws -> Data {
        guard key.count == 32 else { throw Failure.badKey }
        let parts = jwe.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 5, parts[1].isEmpty, let nonce = Base64URL.decode(parts[2]), let ciphertext = Base64URL.decode(parts[3]),
              let tag = Base64URL.decode(parts[4]), let box = try? AES.GCM.SealedBox(nonce: AES.GCM.Nonce(data: nonce), ciphertext: ciphertext, tag: tag)
        else { throw Failure.malformed }
        do {
            return try AES.GCM.open(box, using: SymmetricKey(data: key), authenticating: Data(parts[0].utf8))
        } catch {
            throw Failure.notAuthentic
        }
    }
}
