import Crypto
import Foundation

/// Streaming encryption for stored files (AES-256-GCM in 64 KiB chunks), so a file of any size is
/// encrypted while it arrives and checked while it is read, never held whole in memory.
///
/// Each blob has its own random data key, stored in the header wrapped by the master key (bound to
/// the blob's id). Chunk *i* is sealed with the nonce `prefix ‖ i` and authenticates the format, the
/// blob id, *i* and whether it is the last chunk — so a chunk altered, swapped, moved to another blob,
/// or cut off at the end is detected when read.
///
///     header:  "CVB1" | wrapped data key (60 bytes) | nonce prefix (8 bytes)
///     chunks:  ciphertext (64 KiB, the last one shorter or empty) | tag (16 bytes)
public enum BlobCipher {
    public static let magic = Array("CVB1".utf8)
    public static let chunkSize = 64 * 1024
    public static let tagSize = 16
    static let wrappedKeySize = 60
    static let headerSize = 4 + wrappedKeySize + 8

    /// Why stored bytes cannot be read back.
    public enum IntegrityError: Error, Equatable, CustomStringConvertible {
        case badHeader
        case tampered(chunk: Int)
        case truncated
        public var description: String {
            switch self {
            case .badHeader: "the stored file's header is damaged"
            case .tampered(let chunk): "the stored file was altered (chunk \(chunk) does not authenticate)"
            case .truncated: "the stored file is cut short"
            }
        }
    }

    static func nonce(_ prefix: [UInt8], _ index: Int) throws -> AES.GCM.Nonce {
        let i = UInt32(index)
        return try AES.GCM.Nonce(data: prefix + [UInt8(i >> 24), UInt8(i >> 16 & 0xFF), UInt8(i >> 8 & 0xFF), UInt8(i & 0xFF)])
    }

    static func associatedData(blobID: String, index: Int, final: Bool) -> [UInt8] {
        magic + Array(blobID.utf8) + [0] + withUnsafeBytes(of: UInt32(index).bigEndian, Array.init) + [final ? 1 : 0]
    }

    static func keyContext(_ blobID: String) -> String { "blob:" + blobID }
}

/// Encrypts one blob as its bytes arrive; also counts them and hashes the plaintext (SHA-256).
public struct BlobEncryptor {
    private let key: SymmetricKey
    private let blobID: String
    private let prefix: [UInt8]
    private var pending: [UInt8] = []
    private var index = 0
    private var hasher = SHA256()
    private var headerBytes: [UInt8]?
    public private(set) var plaintextSize = 0

    public init(masterKey: MasterKey, blobID: String) throws {
        let key = SymmetricKey(size: .bits256)
        let wrapped = try masterKey.seal(key.withUnsafeBytes { Data($0) }, context: BlobCipher.keyContext(blobID))
        precondition(wrapped.count == BlobCipher.wrappedKeySize)
        var prefix = [UInt8](repeating: 0, count: 8)
        for i in prefix.indices { prefix[i] = UInt8.random(in: 0...255) }
        self.key = key
        self.blobID = blobID
        self.prefix = prefix
        self.headerBytes = BlobCipher.magic + Array(wrapped) + prefix
        pending.reserveCapacity(BlobCipher.chunkSize * 2)
    }

    /// Ciphertext ready to be written for these plaintext bytes (the header first). A full chunk is
    /// held back until more arrives, since only the last chunk is sealed as last.
    public mutating func update(_ bytes: some Collection<UInt8>) throws -> [UInt8] {
        var out: [UInt8] = []
        try update(bytes, appendingTo: &out)
        return out
    }

    /// ``update(_:)`` appending to `out`, so that a caller can reuse one buffer for every call.
    public mutating func update(_ bytes: some Collection<UInt8>, appendingTo out: inout [UInt8]) throws {
        // Exactly what will be sealed: a bigger array would come from mmap, page faults and all.
        let size = BlobCipher.chunkSize
        out.reserveCapacity(out.count + (headerBytes?.count ?? 0) + max(0, pending.count + bytes.count - 1) / size * (size + BlobCipher.tagSize))
        try update(bytes) { out.append(contentsOf: $0) }
    }

    /// ``update(_:)`` handing each piece of ciphertext to `emit` as it is sealed, straight from where
    /// it was sealed; the pieces are valid only during the call.
    public mutating func update(_ bytes: some Collection<UInt8>, emit: (UnsafeRawBufferPointer) throws -> Void) throws {
        if try bytes.withContiguousStorageIfAvailable({ try updateContiguous($0, emit: emit) }) != nil { return }
        try Array(bytes).withUnsafeBufferPointer { try updateContiguous($0, emit: emit) }
    }

    /// The work of ``update(_:)`` on contiguous bytes: whole chunks are sealed straight from the
    /// input, and only a chunk that straddles two calls is copied.
    private mutating func updateContiguous(_ bytes: UnsafeBufferPointer<UInt8>, emit: (UnsafeRawBufferPointer) throws -> Void) throws {
        hasher.update(bufferPointer: UnsafeRawBufferPointer(bytes))
        plaintextSize += bytes.count
        if let header = takeHeader() { try header.withUnsafeBytes(emit) }
        let size = BlobCipher.chunkSize
        var start = 0
        // Seal every full chunk that is surely not the last (more bytes follow it).
        while pending.count + bytes.count - start > size {
            if pending.isEmpty {
                try seal(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[start..<(start + size)])), index: index, final: false, emit: emit)
                index += 1
                start += size
            } else {
                let take = size - pending.count
                pending.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<(start + take)]))
                start += take
                try pending.withUnsafeBytes { try seal($0, index: index, final: false, emit: emit) }
                index += 1
                pending.removeAll(keepingCapacity: true)
            }
        }
        pending.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start...]))
    }

    /// The rest of the ciphertext (the last chunk), and the plaintext's SHA-256 in hex.
    public mutating func finish() throws -> (bytes: [UInt8], sha256: String) {
        var out = takeHeader() ?? []
        try pending.withUnsafeBytes { try seal($0, index: index, final: true) { out.append(contentsOf: $0) } }
        index += 1
        pending = []
        return (out, hasher.finalize().hexString)
    }

    /// The header, the first time only.
    private mutating func takeHeader() -> [UInt8]? {
        defer { headerBytes = nil }
        return headerBytes
    }

    private func seal(_ chunk: UnsafeRawBufferPointer, index: Int, final: Bool, emit: (UnsafeRawBufferPointer) throws -> Void) throws {
        let box = try AES.GCM.seal(chunk, using: key, nonce: BlobCipher.nonce(prefix, index),
                                   authenticating: BlobCipher.associatedData(blobID: blobID, index: index, final: final))
        try box.ciphertext.withUnsafeBytes(emit)
        try box.tag.withUnsafeBytes(emit)
    }
}

/// Decrypts one blob as its stored bytes are read, checking every chunk; throws
/// ``BlobCipher/IntegrityError`` the moment anything does not authenticate.
public struct BlobDecryptor {
    private let masterKey: MasterKey
    private let blobID: String
    private var key: SymmetricKey?
    private var prefix: [UInt8] = []
    private var pending: [UInt8] = []
    private var index = 0

    public init(masterKey: MasterKey, blobID: String) {
        self.masterKey = masterKey
        self.blobID = blobID
    }

    /// Plaintext for these stored bytes (a sealed chunk is opened once it is known not to be the last).
    public mutating func update(_ bytes: some Collection<UInt8>) throws -> [UInt8] {
        pending.append(contentsOf: bytes)
        if key == nil {
            guard pending.count >= BlobCipher.headerSize else { return [] }
            guard Array(pending[0..<4]) == BlobCipher.magic,
                  let raw = try? masterKey.open(Data(pending[4..<(4 + BlobCipher.wrappedKeySize)]), context: BlobCipher.keyContext(blobID))
            else { throw BlobCipher.IntegrityError.badHeader }
            key = SymmetricKey(data: raw)
            prefix = Array(pending[(4 + BlobCipher.wrappedKeySize)..<BlobCipher.headerSize])
            pending.removeFirst(BlobCipher.headerSize)
        }
        let sealedChunk = BlobCipher.chunkSize + BlobCipher.tagSize
        var out: [UInt8] = []
        var start = 0
        while pending.count - start > sealedChunk {
            out += try open(pending[start..<(start + sealedChunk)], final: false)
            start += sealedChunk
        }
        if start > 0 { pending.removeFirst(start) }  // once per call, not per chunk
        return out
    }

    /// The last chunk's plaintext; throws if the stored bytes ended early.
    public mutating func finish() throws -> [UInt8] {
        guard key != nil, pending.count >= BlobCipher.tagSize else { throw BlobCipher.IntegrityError.truncated }
        defer { pending = [] }
        return try open(pending[...], final: true)
    }

    private mutating func open(_ sealed: ArraySlice<UInt8>, final: Bool) throws -> [UInt8] {
        guard let key else { throw BlobCipher.IntegrityError.badHeader }
        do {
            let box = try AES.GCM.SealedBox(nonce: BlobCipher.nonce(prefix, index), ciphertext: sealed.dropLast(BlobCipher.tagSize),
                                            tag: sealed.suffix(BlobCipher.tagSize))
            let plain = try AES.GCM.open(box, using: key, authenticating: BlobCipher.associatedData(blobID: blobID, index: index, final: final))
            index += 1
            return Array(plain)
        } catch {
            // A full-size last chunk read as "not last", or a cut-off file, also lands here.
            throw BlobCipher.IntegrityError.tampered(chunk: index)
        }
    }
}
