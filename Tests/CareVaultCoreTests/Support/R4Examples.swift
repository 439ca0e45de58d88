import Foundation
import Testing

/// The 604 official FHIR R4 examples (Fixtures/hl7-fhir-r4-examples-604.tar.gz), unpacked into a
/// temporary folder for one test and removed after it.
enum R4Examples {
    static func withFiles(_ body: ([URL]) throws -> Void) throws {
        let archive = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/hl7-fhir-r4-examples-604.tar.gz")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fhir-examples-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        // system(), not Process: Foundation's Process can miss a child's exit on Linux.
        #expect(system("/bin/tar -xzf '\(archive.path)' -C '\(folder.path)'") == 0)
        let files = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil)!
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "json" }
        #expect(files.count == 604)
        try body(files)
    }
}
