import Foundation

/// A file inside a record (a FHIR Attachment): a PDF of a discharge summary, a scanned letter, an image.
/// Its bytes are either inline (`data`, base64) or in a Binary resource the `url` points to.
public struct RecordAttachment: Sendable, Equatable, Codable {
    /// Position among the resource's attachments, from 0 (the download link uses it).
    public let index: Int
    public let contentType: String
    public let title: String?
    /// Bytes as written in `size`, when given.
    public let size: Int?
    /// `Binary/{id}` when the bytes are in a stored Binary.
    public let binaryReference: String?
    let base64Data: String?

    /// Content types served as themselves; anything else downloads as `application/octet-stream`.
    public static let safeTypes: Set<String> = ["application/pdf", "text/plain", "image/jpeg", "image/png", "image/gif", "image/tiff",
                                               "text/csv", "application/dicom", "text/rtf", "application/rtf", "image/webp"]

    /// The attachments of a DocumentReference (`content[].attachment`) or a DiagnosticReport (`presentedForm`), in order.
    public static func all(in json: JSONValue) -> [RecordAttachment] {
        raw(in: json).enumerated().compactMap { index, a in
            let url = a["url"]?.stringValue
            let binary = url.flatMap { $0.hasPrefix("Binary/") ? $0 : nil }
            let data = a["data"]?.stringValue
            guard data != nil || binary != nil else { return nil }
            return RecordAttachment(index: index, contentType: a["contentType"]?.stringValue ?? "application/octet-stream",
                                    title: a["title"]?.stringValue, size: FHIRText.number(a["size"]).flatMap { Int($0) },
                                    binaryReference: binary, base64Data: data)
        }
    }

    /// Addresses of files the record points to but does not carry (an attachment with only an external
    /// `url`). CareVault never fetches them — that would let a record make the server call anywhere —
    /// so a page names them instead of offering a download.
    public static func external(in json: JSONValue) -> [String] {
        raw(in: json).compactMap { a in
            guard a["data"] == nil, let url = a["url"]?.stringValue, !url.hasPrefix("Binary/"), !url.isEmpty else { return nil }
            return url
        }
    }

    /// The resource's Attachment elements, in order.
    private static func raw(in json: JSONValue) -> [JSONValue] {
        switch json["resourceType"]?.stringValue {
        case "DocumentReference": (json["content"]?.arrayValue ?? []).compactMap { $0["attachment"] }
        case "DiagnosticReport": json["presentedForm"]?.arrayValue ?? []
        case "Media": json["content"].map { [$0] } ?? []
        default: []
        }
    }

    /// The inline bytes, if the attachment carries them.
    public var inlineData: Data? { base64Data.flatMap { Data(base64Encoded: $0, options: .ignoreUnknownCharacters) } }

    /// The type a download is served as: the declared one when it is a known safe type, else octet-stream
    /// (so an HTML or SVG "document" can never run in the portal's origin).
    public var servedContentType: String {
        let base = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        guard Self.safeTypes.contains(base) else { return "application/octet-stream" }
        return base == "text/plain" || base == "text/csv" ? base + "; charset=utf-8" : base
    }

    /// A file name safe on every system: letters, digits, `-`, `_` and `.`; at most 80 characters; with an extension for the type.
    public func fileName(fallback: String) -> String {
        let stem = (title ?? fallback).unicodeScalars.map { CharacterSet.alphanumerics.contains($0) && $0.isASCII ? Character($0) : "-" }
        var name = String(stem).split(separator: "-", omittingEmptySubsequences: true).joined(separator: "-")
        if name.isEmpty { name = "document" }
        let ext = Self.extensions[servedContentType.split(separator: ";").first.map(String.init) ?? ""] ?? "bin"
        if name.lowercased().hasSuffix("-" + ext) { name = String(name.dropLast(ext.count + 1)) }
        return String(name.prefix(80)) + "." + ext
    }

    static let extensions = ["application/pdf": "pdf", "text/plain": "txt", "image/jpeg": "jpg", "image/png": "png", "image/gif": "gif",
                             "image/tiff": "tif", "text/csv": "csv", "application/dicom": "dcm", "text/rtf": "rtf",
                             "application/rtf": "rtf", "image/webp": "webp"]
}
