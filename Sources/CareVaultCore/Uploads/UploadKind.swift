/// What an uploaded file is, judged by its first bytes (its "magic"), never by its name or the
/// type the browser declared. Only these kinds are accepted into a patient's vault.
public enum UploadKind: String, Sendable, CaseIterable, Codable {
    case pdf, jpeg, png, heif, tiff, dicom, text, csv

    /// The type the file is served with.
    public var contentType: String {
        switch self {
        case .pdf: "application/pdf"
        case .jpeg: "image/jpeg"
        case .png: "image/png"
        case .heif: "image/heic"
        case .tiff: "image/tiff"
        case .dicom: "application/dicom"
        case .text: "text/plain; charset=utf-8"
        case .csv: "text/csv; charset=utf-8"
        }
    }

    /// Name endings that may carry this kind (DICOM files often have none at all).
    public var extensions: Set<String> {
        switch self {
        case .pdf: ["pdf"]
        case .jpeg: ["jpg", "jpeg", "jpe", "jfif"]
        case .png: ["png"]
        case .heif: ["heic", "heif", "hif"]
        case .tiff: ["tif", "tiff"]
        case .dicom: ["dcm", "dicom", ""]
        case .text: ["txt", "text"]
        case .csv: ["csv"]
        }
    }

    /// In words, for pages ("a PDF document").
    public var title: String {
        switch self {
        case .pdf: "PDF document"
        case .jpeg: "JPEG photo"
        case .png: "PNG image"
        case .heif: "HEIC photo"
        case .tiff: "TIFF image"
        case .dicom: "DICOM image"
        case .text: "text file"
        case .csv: "CSV table"
        }
    }

    /// Whether common browsers show it in an `<img>` (HEIC and TIFF mostly not: the server draws a copy where it can).
    public var displaysInBrowsers: Bool { self == .jpeg || self == .png }

    public var isImage: Bool { [.jpeg, .png, .heif, .tiff].contains(self) }

    /// The usual name ending for this kind.
    public var preferredExtension: String {
        switch self {
        case .pdf: "pdf"
        case .jpeg: "jpg"
        case .png: "png"
        case .heif: "heic"
        case .tiff: "tif"
        case .dicom: "dcm"
        case .text: "txt"
        case .csv: "csv"
        }
    }

    /// A download name safe everywhere: ASCII letters, digits and `-`, at most 80, with this kind's ending.
    public func safeFileName(from name: String) -> String {
        let stem = name.split(separator: ".").count > 1 ? name.split(separator: ".").dropLast().joined(separator: ".") : name
        let cleaned = String(stem.unicodeScalars.map { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)) ? Character($0) : "-" })
            .split(separator: "-").joined(separator: "-")
        return String((cleaned.isEmpty ? "file" : cleaned).prefix(80)) + "." + preferredExtension
    }
}

/// Why an upload is refused, in words a patient can act on.
public enum UploadRefusal: Error, Equatable, Sendable, CustomStringConvertible {
    case empty
    case tooLarge(limit: Int)
    case dangerous(what: String)
    case unsupported
    case mismatch(kind: UploadKind, fileExtension: String)

    public var description: String {
        switch self {
        case .empty: "is empty"
        case .tooLarge(let limit): "is larger than the \(limit >> 20) MB limit"
        case .dangerous(let what): "is \(what), which CareVault does not accept"
        case .unsupported: "is not a kind CareVault accepts (PDF, JPEG, PNG, HEIC, TIFF, DICOM, text or CSV)"
        case .mismatch(let kind, let ext) where ext.isEmpty: "is a \(kind.title) but its name has no ending; name it ….\(kind.preferredExtension) and try again"
        case .mismatch(let kind, let ext): "is a \(kind.title) but its name ends in .\(ext); rename it to ….\(kind.preferredExtension) and try again"
        }
    }
}

/// Identifies uploads from their first bytes.
public enum UploadSniffer {
    /// How many leading bytes ``kind(of:fileName:)`` needs to decide (DICOM's marker is at byte 128).
    public static let prefixLength = 4096

    /// The kind of a file from its first bytes and its name, or why it is refused. `prefix` is the
    /// first ``prefixLength`` bytes (fewer for a shorter file).
    public static func kind(of prefix: [UInt8], fileName: String) -> Result<UploadKind, UploadRefusal> {
        guard !prefix.isEmpty else { return .failure(.empty) }
        let ext = fileExtension(fileName)
        if let danger = dangerous(prefix) { return .failure(.dangerous(what: danger)) }
        let detected: UploadKind
        if let binary = binaryKind(prefix) {
            detected = binary
        } else if isPlainText(prefix) {
            if let markup = markup(prefix) { return .failure(.dangerous(what: markup)) }
            detected = ext == "csv" ? .csv : .text
        } else {
            return .failure(.unsupported)
        }
        guard detected.extensions.contains(ext) else { return .failure(.mismatch(kind: detected, fileExtension: ext)) }
        return .success(detected)
    }

    static func fileExtension(_ name: String) -> String {
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return "" }
        return String(name[name.index(after: dot)...]).lowercased()
    }

    static func starts(_ bytes: [UInt8], with magic: [UInt8], at offset: Int = 0) -> Bool {
        bytes.count >= offset + magic.count && Array(bytes[offset..<(offset + magic.count)]) == magic
    }

    static func binaryKind(_ b: [UInt8]) -> UploadKind? {
        // First: a DICOM preamble is free-form and often holds a TIFF header.
        if starts(b, with: Array("DICM".utf8), at: 128) { return .dicom }
        if starts(b, with: Array("%PDF-".utf8)) { return .pdf }
        if starts(b, with: [0xFF, 0xD8, 0xFF]) { return .jpeg }
        if starts(b, with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if starts(b, with: [0x49, 0x49, 0x2A, 0x00]) || starts(b, with: [0x4D, 0x4D, 0x00, 0x2A]) { return .tiff }
        if starts(b, with: Array("ftyp".utf8), at: 4), b.count >= 12 {
            let brand = String(decoding: b[8..<12], as: UTF8.self)
            if ["heic", "heix", "hevc", "hevx", "heim", "heis", "mif1", "msf1"].contains(brand) { return .heif }
        }
        return nil
    }

    /// Executables and archives, named so the refusal says what was seen. Checked before anything
    /// else, so a program dressed as DICOM (whose 128-byte preamble is free-form) is still refused.
    static func dangerous(_ b: [UInt8]) -> String? {
        if starts(b, with: Array("MZ".utf8)) { return "a Windows program" }
        if starts(b, with: [0x7F, 0x45, 0x4C, 0x46]) { return "a Linux program" }
        if starts(b, with: [0xCF, 0xFA, 0xED, 0xFE]) || starts(b, with: [0xCE, 0xFA, 0xED, 0xFE]) || starts(b, with: [0xCA, 0xFE, 0xBA, 0xBE]) {
            return "a Mac program"
        }
        if starts(b, with: [0x50, 0x4B, 0x03, 0x04]) || starts(b, with: [0x50, 0x4B, 0x05, 0x06]) { return "a ZIP archive (or an Office file)" }
        if starts(b, with: [0x1F, 0x8B]) { return "a compressed archive" }
        if starts(b, with: Array("7z".utf8) + [0xBC, 0xAF]) || starts(b, with: Array("Rar!".utf8)) { return "a compressed archive" }
        if starts(b, with: Array("#!".utf8)) { return "a script" }
        return nil
    }

    /// UTF-8 text (a BOM allowed) without NULs or control characters other than tab, newline,
    /// carriage return and form feed. A multi-byte character cut at the end of the prefix is fine.
    static func isPlainText(_ b: [UInt8]) -> Bool {
        var bytes = b[...]
        if starts(b, with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        if bytes.contains(where: { ($0 < 0x20 && ![0x09, 0x0A, 0x0C, 0x0D].contains($0)) || $0 == 0x7F }) { return false }
        // A full prefix may end inside a multi-byte character: up to three bytes may be cut off.
        let cuts = b.count >= prefixLength ? 0...3 : 0...0
        return cuts.contains { String(validating: bytes.dropLast($0), as: UTF8.self) != nil }
    }

    /// HTML, SVG, XML or script that a browser could run, however it is named.
    static func markup(_ b: [UInt8]) -> String? {
        let text = String(decoding: b.prefix(512), as: UTF8.self).lowercased()
        let start = text.drop { $0.isWhitespace || $0 == "\u{FEFF}" }
        for (marker, what) in [("<!doctype html", "a web page"), ("<html", "a web page"), ("<svg", "an SVG drawing"), ("<?xml", "an XML file"),
                               ("<script", "a script"), ("<head", "a web page"), ("<body", "a web page"), ("<iframe", "a web page")]
        where start.hasPrefix(marker) {
            return what
        }
        return nil
    }
}
