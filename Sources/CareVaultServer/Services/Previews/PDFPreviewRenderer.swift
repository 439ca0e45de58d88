import Foundation

/// First-page previews of PDF uploads, drawn by poppler's `pdftoppm` where the machine has it.
///
/// A patient's PDF is untrusted input to a large C parser, so it never runs inside the server but in
/// a ``SandboxedConverter``. A PDF that fails, is encrypted or is too large simply has no preview.
struct PDFPreviewRenderer: Sendable {
    /// The path of `pdftoppm`.
    let pdftoppm: String
    static let maxInputBytes = 32 << 20
    /// Width and height of the preview at most, in pixels.
    static let size = 800
    static let defaultPath = "/usr/bin/pdftoppm"

    /// The renderer if `pdftoppm` and the sandbox's tools are all there; nil otherwise.
    init?(pdftoppm: String) {
        guard SandboxedConverter.available(pdftoppm) else { return nil }
        self.pdftoppm = pdftoppm
    }

    var arguments: [String] {
        SandboxedConverter.limited([pdftoppm, "-png", "-singlefile", "-f", "1", "-l", "1", "-scale-to", String(Self.size), "-"])
    }

    /// The first page as a PNG, or nil when it cannot be drawn. `load` supplies the PDF once a
    /// converter is free, so waiting requests hold no PDF in memory.
    func render(_ load: () async throws -> [UInt8]) async throws -> [UInt8]? {
        try await SandboxedConverter.convert(arguments, maxInputBytes: Self.maxInputBytes, load)
    }
}
