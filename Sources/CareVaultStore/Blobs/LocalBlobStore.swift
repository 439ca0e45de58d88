import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Blobs as files under the data folder: `blobs/ab/abcdef…`, written to `blobs/incomplete/` first and
/// moved into place on commit (a rename, so a blob is either whole or absent).
public struct LocalBlobStore: BlobStore {
    /// The folder the blobs live in.
    public let root: URL
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
        let incomplete = root.appendingPathComponent("incomplete", isDirectory: true)
        let partial = incomplete.appendingPathComponent(id)
        let file: DirectFileWriter
        do {
            file = try DirectFileWriter(creating: partial.path)
        } catch let error as BlobFileError where error.code == ENOENT {
            try Self.makeFolder(incomplete)
            file = try DirectFileWriter(creating: partial.path)
        }
        return Writer(file: file, partial: partial, final: path(id))
    }

    /// Creates a folder (and its parents) readable by the server only.
    static func makeFolder(_ folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }

    /// Makes a rename or a new entry in `folder` durable: without this a blob whose row has committed
    /// (in PostgreSQL, on another machine) could be missing after a power failure.
    static func syncFolder(_ folder: URL) throws {
        let fd = open(folder.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw BlobFileError(operation: "open folder", code: errno) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw BlobFileError(operation: "fsync folder", code: errno) }
    }

    final class Writer: ImmediateBlobWriter, @unchecked Sendable {
        // @unchecked: used by one upload task at a time.
        let file: DirectFileWriter
        let partial: URL
        let final: URL

        init(file: DirectFileWriter, partial: URL, final: URL) {
            self.file = file
            self.partial = partial
            self.final = final
        }

        func write(_ bytes: [UInt8]) async throws {
            try bytes.withUnsafeBytes { try file.write($0) }
        }

        func append(_ bytes: UnsafeRawBufferPointer) throws {
            try file.write(bytes)
        }

        func commit() async throws {
            try file.synchronizeAndClose()
            let folder = final.deletingLastPathComponent()
            if rename(partial.path, final.path) != 0 {
                guard errno == ENOENT else { throw BlobFileError(operation: "rename", code: errno) }
                try LocalBlobStore.makeFolder(folder)
                try LocalBlobStore.syncFolder(folder.deletingLastPathComponent())
                guard rename(partial.path, final.path) == 0 else { throw BlobFileError(operation: "rename", code: errno) }
            }
            try LocalBlobStore.syncFolder(folder)
        }

        func abort() async {
            file.discard()
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

    /// Creates `incomplete/` and the 256 folders blobs are spread over (a new folder on the first
    /// upload into it cost a `mkdir` and two folder syncs in the request).
    public func prepare() async throws {
        try Self.makeFolder(root.appendingPathComponent("incomplete", isDirectory: true))
        let digits = Array("0123456789abcdef")
        for high in digits {
            for low in digits { try Self.makeFolder(root.appendingPathComponent(String([high, low]), isDirectory: true)) }
        }
        try Self.syncFolder(root)
    }

    public func removeIncomplete() async throws {
        let folder = root.appendingPathComponent("incomplete")
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [] {
            try? FileManager.default.removeItem(at: folder.appendingPathComponent(name))
        }
    }
}
