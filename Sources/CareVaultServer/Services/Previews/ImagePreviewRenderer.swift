import CareVaultCore
import Foundation
import Synchronization

/// Browser-viewable copies of HEIC/HEIF and TIFF uploads, which most browsers cannot show: a PNG
/// scaled to fit ``size`` pixels, drawn by gdk-pixbuf's `gdk-pixbuf-thumbnailer` in a
/// ``SandboxedConverter`` (the same limits as PDF previews; rotation is applied, pages after a TIFF's
/// first are not drawn). The stored original, already stripped of its metadata, stays the download.
struct ImagePreviewRenderer: Sendable {
    /// The path of `gdk-pixbuf-thumbnailer`.
    let thumbnailer: String
    static let maxInputBytes = 64 << 20
    /// Width and height of the copy at most, in pixels.
    static let size = 1024
    static let defaultPath = "/usr/bin/gdk-pixbuf-thumbnailer"
    /// The kinds this renderer makes copies of; JPEG and PNG go to the browser as they are.
    static let convertible: [UploadKind] = [.heif, .tiff]

    /// The renderer if the thumbnailer and the sandbox's tools are all there; nil otherwise.
    init?(thumbnailer: String) {
        guard SandboxedConverter.available(thumbnailer) else { return nil }
        self.thumbnailer = thumbnailer
    }

    func arguments(size: Int) -> [String] {
        SandboxedConverter.limited([thumbnailer, "-s", String(size), "/dev/stdin", "/dev/stdout"])
    }

    /// The kinds of ``convertible`` that this machine's gdk-pixbuf can draw (HEIF comes in a separate
    /// package, `heif-gdk-pixbuf`), learnt once per process by drawing a tiny sample of each, so that a
    /// page never offers a copy that cannot be made.
    func kinds() async -> Set<UploadKind> {
        if let known = Self.probed.withLock({ $0[thumbnailer] }) { return known }
        var kinds: Set<UploadKind> = []
        for (kind, sample) in Self.samples where await SandboxedConverter.run(arguments(size: 8), input: sample) != nil {
            kinds.insert(kind)
        }
        Self.probed.withLock { [kinds] in $0[thumbnailer] = kinds }
        return kinds
    }

    /// Whether a page should offer the copy of this file.
    func draws(_ kind: UploadKind, size: Int64) async -> Bool {
        size <= Self.maxInputBytes && Self.convertible.contains(kind) ? await kinds().contains(kind) : false
    }

    /// The copy as a PNG, or nil when it cannot be drawn. `load` supplies the image once a
    /// converter is free, so waiting requests hold no image in memory.
    func render(_ load: () async throws -> [UInt8]) async throws -> [UInt8]? {
        Self.renders.withLock { $0[thumbnailer, default: 0] += 1 }
        return try await SandboxedConverter.convert(arguments(size: Self.size), maxInputBytes: Self.maxInputBytes, load)
    }

    private static let probed = Mutex<[String: Set<UploadKind>]>([:])

    /// How many copies each thumbnailer was asked to draw in this process (samples not counted): what
    /// shows that a kept copy spares the converter. Counted here because the sandboxed converter can
    /// leave no trace outside it.
    static func renderCount(of thumbnailer: String) -> Int {
        renders.withLock { $0[thumbnailer, default: 0] }
    }

    private static let renders = Mutex<[String: Int]>([:])

    /// A 16 × 16 HEIC (libheif's heif-enc) and a 2 × 2 TIFF (Pillow), both without metadata.
    private static let samples: [(UploadKind, [UInt8])] = [
        (.heif, [UInt8](Data(base64Encoded: """
            AAAAHGZ0eXBoZWljAAAAAG1pZjFoZWljbWlhZgAAAa1tZXRhAAAAAAAAACFoZGxyAAAAAAAAAABwaWN0AAAAAAAAAAAAAAAAAAAAAA5waXRt\
            AAAAAAACAAAAEGlkYXQAAAAAABAAEAAAADhpbG9jAQAAAERAAAIAAQAAAAAAAAHRAAEAAAAAAAAAKgACAAEAAAAAAAAAAQAAAAAAAAAIAAAA\
            OGlpbmYAAAAAAAIAAAAVaW5mZQIAAAEAAQAAaHZjMQAAAAAVaW5mZQIAAAAAAgAAZ3JpZAAAAADYaXBycAAAALZpcGNvAAAAdmh2Y0MBA3AA\
            AAAAAAAAAAAe8AD8/fj4AAAPAyAAAQAYQAEMAf//A3AAAAMAkAAAAwAAAwAeugJAIQABACpCAQEDcAAAAwCQAAADAAADAB6gIIEFluqumubg\
            QEDAgAAAAwCAAAADAIQiAAEABkQBwXPBiQAAABRpc3BlAAAAAAAAAEAAAABAAAAAFGlzcGUAAAAAAAAAEAAAABAAAAAQcGl4aQAAAAADCAgI\
            AAAAGmlwbWEAAAAAAAAAAgABAoECAAICA4QAAAAaaXJlZgAAAAAAAAAOZGltZwACAAEAAQAAADJtZGF0AAAAJigBrxkhXkJA712lv/9vmP9L\
            xf4TW3ymSqaXBNeImQsDgYCNkZ04
            """)!)),
        (.tiff, [UInt8](Data(base64Encoded: """
            SUkqAAgAAAAKAAABBAABAAAAAgAAAAEBBAABAAAAAgAAAAIBAwADAAAAhgAAAAMBAwABAAAAAQAAAAYBAwABAAAAAgAAABEBBAABAAAAjAAA\
            ABUBAwABAAAAAwAAABYBBAABAAAAAgAAABcBBAABAAAADAAAABwBAwABAAAAAQAAAAAAAAAIAAgACADIKCjIKCjIKCjIKCg=
            """)!)),
    ]
}
