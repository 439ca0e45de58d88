@testable import CareVaultStore
import Foundation
import Testing

/// The file blob store on its own: direct writes in whole mebibytes, the tail through the page cache,
/// and the fallback where a filesystem refuses direct I/O. (Uploads over HTTP, on both stores and both
/// databases, are in PatientUploadTests.)
@Suite("Local blob store")
struct LocalBlobStoreTests {
    static let mebibyte = 1 << 20

    /// Sizes around the direct-write block and the 4 KiB alignment, written in the encryptor's odd pieces.
    @Test("Blobs of every size around the block boundaries come back byte for byte", arguments: [
        0, 1, 4_095, 4_096, mebibyte - 1, mebibyte, mebibyte + 1, 3 * mebibyte + 12_345,
    ])
    func roundTrip(size: Int) async throws {
        try await Self.withFolder(under: FileManager.default.temporaryDirectory) { root in
            try await Self.checkRoundTrip(size: size, root: root)
        }
    }

    @Test("A filesystem without direct I/O (tmpfs) stores the same bytes", .enabled(if: FileManager.default.fileExists(atPath: "/dev/shm")))
    func withoutDirectIO() async throws {
        try await Self.withFolder(under: URL(fileURLWithPath: "/dev/shm")) { root in
            for size in [0, 5, Self.mebibyte, 2 * Self.mebibyte + 7] {
                try await Self.checkRoundTrip(size: size, root: root)
            }
        }
    }

    @Test("An aborted blob leaves no file behind, and a committed one is readable by the server only")
    func abortAndPermissions() async throws {
        try await Self.withFolder(under: FileManager.default.temporaryDirectory) { root in
            let store = LocalBlobStore(root: root)
            let aborted = try await store.create(id: UUID().uuidString.lowercased())
            try await aborted.write(Array(repeating: 7, count: Self.mebibyte + 10))
            await aborted.abort()
            #expect(try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("incomplete").path).isEmpty)
            #expect(try await store.allIDs().isEmpty)

            let id = UUID().uuidString.lowercased()
            let writer = try await store.create(id: id)
            try await writer.write([1, 2, 3])
            try await writer.commit()
            let attributes = try FileManager.default.attributesOfItem(atPath: store.path(id).path)
            #expect((attributes[.posixPermissions] as? Int) == 0o600)
            #expect(try await store.allIDs() == [id])
        }
    }

    @Test("Start-up prepares every folder a blob can go to, readable by the server only; blobs still land there")
    func prepare() async throws {
        try await Self.withFolder(under: FileManager.default.temporaryDirectory) { root in
            let store = LocalBlobStore(root: root)
            try await store.prepare()
            try await store.prepare()  // again, as every start does
            let folders = try FileManager.default.contentsOfDirectory(atPath: root.path).sorted()
            #expect(folders.count == 257 && folders.first == "00" && folders.contains("a7") && folders.last == "incomplete")
            let mode = try FileManager.default.attributesOfItem(atPath: root.appendingPathComponent("a7").path)[.posixPermissions] as? Int
            #expect(mode == 0o700)
            try await Self.checkRoundTrip(size: 10, root: root)
            #expect(try await store.allIDs().count == 1)
        }
    }

    static func checkRoundTrip(size: Int, root: URL) async throws {
        let store = LocalBlobStore(root: root)
        let id = UUID().uuidString.lowercased()
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<size).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let writer = try await store.create(id: id)
        var offset = 0
        while offset < bytes.count {
            let piece = min(65_552, bytes.count - offset)  // a sealed chunk's size
            try await writer.write(Array(bytes[offset..<(offset + piece)]))
            offset += piece
        }
        try await writer.commit()
        var read: [UInt8] = []
        try await store.read(id: id) { read += $0 }
        #expect(read == bytes, "size \(size)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("incomplete").path).isEmpty)
    }

    static func withFolder(under parent: URL, _ body: (URL) async throws -> Void) async throws {
        let root = parent.appendingPathComponent("carevault-blobs-\(UUID().uuidString)", isDirectory: true)
        defer { try? FileManager.default.removeItem(at: root) }
        try await body(root)
    }
}
