import Crypto
import Foundation

/// The installation's 256-bit master key. It encrypts secrets at rest (TOTP secrets now, data keys
/// for uploads later) and derives purpose-bound subkeys. It lives in a file of mode 0600 in the
/// data folder, created on first start.
public struct MasterKey: Sendable {
    private let key: SymmetricKey

    public init(key: SymmetricKey) { self.key = key }

    /// Loads the key file, creating it (mode 0600) if it does not exist yet.
    public static func loadOrCreate(at url: URL) throws -> MasterKey {
        let fm = FileManager.default
        if fm.fileExists(atPath: url.path) {
            let data = try Data(contentsOf: url)
            guard data.count == 32 else { throw MasterKeyError.malformedKeyFile(url.path) }
            return MasterKey(key: SymmetricKey(data: data))
        }
        let key = SymmetricKey(size: .bits256)
        let data = key.withUnsafeBytes { Data($0) }
        guard fm.createFile(atPath: url.path, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw MasterKeyError.cannotCreate(url.path)
        }
        return MasterKey(key: key)
    }

    /// A subkey for one purpose (HKDF-SHA256), so no two uses share key material.
    public func derivedKey(purpose: String) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(inputKeyMaterial: key, info: Data(purpose.utf8), outputByteCount: 32)
    }

    /// Encrypts with AES-256-GCM; `context` is bound as associated data (e.g. the owning account id),
    /// so a ciphertext copied to another row does not decrypt.
    public func seal(_ plaintext: Data, context: String) throws -> Data {
        let box = try AES.GCM.seal(plaintext, using: derivedKey(purpose: "seal"), authenticating: Data(context.utf8))
        guard let combined = box.combined else { throw MasterKeyError.sealFailed }
        return combined
    }

    /// Decrypts what ``seal(_:context:)`` produced with the same context; throws if anything changed.
    public func open(_ sealed: Data, context: String) throws -> Data {
        let box = try AES.GCM.SealedBox(combined: sealed)
        return try AES.GCM.open(box, using: derivedKey(purpose: "seal"), authenticating: Data(context.utf8))
    }
}

public enum MasterKeyError: Error, CustomStringConvertible {
    case malformedKeyFile(String)
    case cannotCreate(String)
    case sealFailed

    public var description: String {
        switch self {
        case .malformedKeyFile(let path): "The master key file at \(path) is not 32 bytes long. Restore it from your backup."
        case .cannotCreate(let path): "Could not create the master key file at \(path). Check that the data folder is writable."
        case .sealFailed: "Encryption failed."
        }
    }
}
