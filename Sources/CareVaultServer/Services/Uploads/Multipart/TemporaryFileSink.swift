import Foundation
import NIOCore

/// Files received into private temporary files (removed by the caller when done).
final class TemporaryFileSink: UploadedFileSink {
    let folder: URL
    private var handle: FileHandle?
    private(set) var url: URL?

    init(folder: URL) { self.folder = folder }

    func begin(fileName: String, declaredType: String?) async throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let url = folder.appendingPathComponent("upload-\(UUID().uuidString)")
        guard FileManager.default.createFile(atPath: url.path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteUnknown)
        }
        self.url = url
        handle = try FileHandle(forWritingTo: url)
    }

    func write(_ bytes: ByteBuffer) async throws {
        guard let handle else { return }
        try bytes.withUnsafeReadableBytes { try handle.write(contentsOf: $0) }
    }

    func finish() async throws -> URL {
        try handle?.close()
        handle = nil
        guard let url else { throw CocoaError(.fileWriteUnknown) }
        return url
    }

    func abort() async {
        try? handle?.close()
        handle = nil
        if let url { try? FileManager.default.removeItem(at: url) }
    }
}
