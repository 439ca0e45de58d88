import Foundation

/// Where encrypted file bytes live. The bytes handed in are already sealed (``BlobEncryptor``): a
/// store only keeps them, streams them back and forgets them. A blob becomes visible only when its
/// writer commits, so an interrupted upload leaves nothing that reads as a file.
public protocol BlobStore: Sendable {
    /// Starts a new blob under `id` (a random UUID chosen by the caller).
    func create(id: String) async throws -> any BlobWriter
    /// Streams a committed blob's bytes, in order, to `consume`.
    func read(id: String, _ consume: ([UInt8]) async throws -> Void) async throws
    func delete(id: String) async throws
    /// Every committed blob's id (to find orphans).
    func allIDs() async throws -> [String]
    /// When a blob was written, if known.
    func createdAt(id: String) async throws -> Date?
    /// Removes what an interrupted write left behind (uncommitted parts); called at start-up.
    func removeIncomplete() async throws
    /// Sets up what writes need, so that no upload pays for it; called at start-up.
    func prepare() async throws
}

extension BlobStore {
    public func prepare() async throws {}
}

/// Receives one blob's bytes; exactly one of ``commit()`` or ``abort()`` ends it.
public protocol BlobWriter: Sendable {
    func write(_ bytes: [UInt8]) async throws
    func commit() async throws
    func abort() async
}

/// A writer that takes bytes at once from memory the caller keeps (a local file): an encryptor can
/// hand it each sealed piece from where it was sealed, instead of gathering them in a buffer first.
public protocol ImmediateBlobWriter: BlobWriter {
    func append(_ bytes: UnsafeRawBufferPointer) throws
}

public enum BlobStoreError: Error, Equatable, CustomStringConvertible {
    case notFound(String)
    public var description: String {
        switch self {
        case .notFound(let id): "blob \(id) is missing"
        }
    }
}
