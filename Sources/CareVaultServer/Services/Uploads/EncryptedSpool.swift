import CareVaultCore
import Crypto
import Foundation

/// A temporary file for an upload that must be read out of order before it is stored (a TIFF or
/// HEIF photo, whose metadata is found by following offsets). Written once as the upload streams,
/// then read at any offset.
///
/// The bytes are sealed with AES-256-GCM in 64 KiB chunks under a key that exists only in this
/// object's memory, and the file is unlinked as soon as it is opened: nothing readable reaches the
/// disk, and a crash leaves nothing behind. Memory use is two chunks whatever the file's size.
final class EncryptedSpool: RandomAccessBytes {
    static let chunkSize = 64 * 1024
    static let sealedChunkSize = chunkSize + 16

    private let handle: FileHandle
    private let key = SymmetricKey(size: .bits256)
    private var pending: [UInt8] = []
    private var sealedChunks = 0
    private(set) var count = 0
    private var cached: (index: Int, bytes: [UInt8])?

    /// Opens (and at once unlinks) a spool file in `directory`.
    init(directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let path = directory.appendingPathComponent("carevault-spool-\(UUID().uuidString)")
        guard FileManager.default.createFile(atPath: path.path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteUnknown)
        }
        defer { try? FileManager.default.removeItem(at: path) }
        handle = try FileHandle(forUpdating: path)
        pending.reserveCapacity(Self.chunkSize)
    }

    deinit { try? handle.close() }

    /// Appends the next bytes of the upload.
    func append(_ bytes: [UInt8]) throws {
        count += bytes.count
        var start = 0
        while start < bytes.count {
            let take = min(Self.chunkSize - pending.count, bytes.count - start)
            pending += bytes[start..<(start + take)]
            start += take
            if pending.count == Self.chunkSize { try sealPending() }
        }
    }

    /// Seals what is left; call once, after the last ``append(_:)``.
    func finishWriting() throws {
        if !pending.isEmpty { try sealPending() }
    }

    func bytes(in range: Range<Int>) throws -> [UInt8] {
        guard range.lowerBound >= 0, range.upperBound <= count else { throw ImageMetadataStripper.Failure.malformed }
        var out: [UInt8] = []
        out.reserveCapacity(range.count)
        var position = range.lowerBound
        while position < range.upperBound {
            let index = position / Self.chunkSize
            let chunk = try chunk(index)
            let start = position - index * Self.chunkSize
            let end = min(chunk.count, range.upperBound - index * Self.chunkSize)
            out += chunk[start..<end]
            position = index * Self.chunkSize + end
        }
        return out
    }

    private func sealPending() throws {
        let box = try AES.GCM.seal(pending, using: key, nonce: Self.nonce(sealedChunks))
        try handle.seek(toOffset: UInt64(sealedChunks * Self.sealedChunkSize))
        try handle.write(contentsOf: box.ciphertext + box.tag)
        sealedChunks += 1
        pending.removeAll(keepingCapacity: true)
    }

    private func chunk(_ index: Int) throws -> [UInt8] {
        if let cached, cached.index == index { return cached.bytes }
        try handle.seek(toOffset: UInt64(index * Self.sealedChunkSize))
        guard let sealed = try handle.read(upToCount: Self.sealedChunkSize), sealed.count > 16 else { throw ImageMetadataStripper.Failure.malformed }
        let box = try AES.GCM.SealedBox(nonce: Self.nonce(index), ciphertext: sealed.dropLast(16), tag: sealed.suffix(16))
        let bytes = Array(try AES.GCM.open(box, using: key))
        cached = (index, bytes)
        return bytes
    }

    private static func nonce(_ index: Int) throws -> AES.GCM.Nonce {
        var bytes = [UInt8](repeating: 0, count: 12)
        for i in 0..<8 { bytes[11 - i] = UInt8(truncatingIfNeeded: index >> (8 * i)) }
        return try AES.GCM.Nonce(data: bytes)
    }
}
