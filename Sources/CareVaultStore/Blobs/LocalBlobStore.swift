import Foundation

/// Blobs as files under the data folder: `blobs/ab/abcdef…`, written to `blobs/incomplete/` first and
/// moved into place on commit (a rename, so a blob is either whole or absent).
public struct LocalBlobStore: BlobStore {
    let root: URL
    static let readSize = 256 * 1024

    public init(root: URL) { self.root = root }

    func path(_ id: String) -> URL {
        root.appendingPathComponent(String(id.prefix(2)), isDirectory: true).appendingPathComponent(id)
    }

    static func isValidID(_ id: String) -> Bool {
        id.count >= 8 && id.count <= 64 && id.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) || $0 == 0x2D }
    }

    public func create(id: String) async throws -> any BlobWriter {
        precondition(Self.isValidID(id), "blob ids are lowercase UUIDs")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("incomplete"), withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        let partial = root.appendingPathComponent("incomplete").appendingPathComponent(id)
        guard FileManager.default.createFile(atPath: partial.path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteUnknown)
        }
        return Writer(handle: try FileHandle(forWritingTo: partial), partial: partial, final: path(id))
    }

    final class Writer: BlobWriter, @unchecked Sendable {
        // @unchecked: used by one upload task at a time.
        let handle: FileHandle
        let partial: URL
        let final: URL

        init(handle: FileHandle, partial: URL, final: URL) {
            self.handle = handle
            self.partial = partial
            self.final = final
        }

        func write(_ bytes: [UInt8]) async throws { try handle.write(contentsOf: bytes) }

        func commit() async throws {
            try handle.synchronize()
            try handle.close()
            try FileManager.default.createDirectory(at: final.deletingLastPathComponent(), withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
            try FileManager.default.moveItem(at: partial, to: final)
        }

        func abort() async {
            try? handle.close()
            try? FileManager.default.removeItem(at: partial)
        }
    }

    public func read(id: String, _ consume: ([UInt8]) async throws -> Void) async throws {
        guard Self.isValidID(id), let handle = try? FileHandle(forReadingFrom: path(id)) else { throw BlobStoreError.notFound(id) }
        defer { try? handle.close() }
        while let data = try handle.read(upToCount: Self.readSize), !data.isEmpty {
            try await consume(Array(data))
        }
    }

    public func delete(id: String) async throws {
        guard Self.isValidID(id) else { return }
        try? FileManager.default.removeItem(at: path(id))
    }

    public func allIDs() async throws -> [String] {
        let folders = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        return folders.filter { $0.count == 2 }.flatMap { folder in
            ((try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(folder).path)) ?? []).filter(Self.isValidID)
        }
    }

    public func createdAt(id: String) async throws -> Date? {
        guard Self.isValidID(id) else { return nil }
        return (try? FileManager.default.attributesOfItem(atPath: path(id).path))?[.modificationDate] as? Date
    }

    public func removeIncomplete() async throws {
        let folder = root.appendingPathComponent("incomplete")
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [] {
            try? FileManager.default.removeItem(at: folder.appendingPathComponent(name))
        }
    }
}
