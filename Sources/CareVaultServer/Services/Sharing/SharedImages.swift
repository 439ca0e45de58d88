import CareVaultCore
import CareVaultStore
import Foundation

/// The images among shared items — photos and scans (DICOM) in their attachments — which leave only
/// with consent, de-identified, and (for scans that may show burned-in text) after the sender looked.
enum SharedImages {
    /// One record item that carries an image.
    struct Image: Sendable, Equatable {
        /// The item, `Type/id`.
        let reference: String
        let title: String
        /// A DICOM scan (otherwise a photo).
        let isScan: Bool
        let needsBurnedInCheck: Bool
        /// The scan's summary ("CT, 128 × 128, 1 frame").
        let summary: String?
        /// The upload that holds a photo (its page has a preview), if it is one.
        var photoUpload: String? = nil
    }

    /// Whether an attachment's declared type is an image or a scan.
    static func isImage(contentType: String) -> Bool {
        let base = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        return base.hasPrefix("image/") || base == "application/dicom"
    }

    static func isScan(contentType: String) -> Bool {
        contentType.lowercased().hasPrefix("application/dicom")
    }

    /// Whether the bytes are a photo or a scan, whatever they were declared as: by their signatures
    /// (JPEG, PNG, GIF, WebP, BMP, TIFF, HEIF/AVIF, DICOM).
    static func sniffedImage(_ bytes: some Collection<UInt8>) -> Bool {
        let b = Array(bytes.prefix(140))
        func starts(_ magic: [UInt8], at offset: Int = 0) -> Bool { b.count >= offset + magic.count && Array(b[offset..<(offset + magic.count)]) == magic }
        if starts([0xFF, 0xD8, 0xFF]) || starts([0x89, 0x50, 0x4E, 0x47]) || starts(Array("GIF8".utf8))
            || starts([0x49, 0x49, 0x2A, 0x00]) || starts([0x4D, 0x4D, 0x00, 0x2A]) { return true }
        // A bitmap: "BM" and a header size that bitmaps have (so text beginning "BM" is not one).
        if starts(Array("BM".utf8)), b.count >= 18, [12, 40, 52, 56, 64, 108, 124].contains(Int(b[14])), b[15] == 0, b[16] == 0, b[17] == 0 { return true }
        if starts(Array("RIFF".utf8)) && starts(Array("WEBP".utf8), at: 8) { return true }
        if starts(Array("ftyp".utf8), at: 4), b.count >= 12,
           ["heic", "heix", "hevc", "mif1", "msf1", "avif", "heim", "heis"].contains(String(decoding: b[8..<12], as: UTF8.self)) { return true }
        return sniffedScan(b)
    }

    /// Whether the bytes are a DICOM scan ("DICM" after the 128-byte preamble).
    static func sniffedScan(_ bytes: some Collection<UInt8>) -> Bool {
        let b = Array(bytes.prefix(132))
        return b.count == 132 && Array(b[128..<132]) == Array("DICM".utf8)
    }

    /// The first bytes of base64 text (enough to know what a file is).
    static func prefix(ofBase64 text: String) -> [UInt8] {
        Array(Data(base64Encoded: String(text.prefix(5464)).filter { !$0.isWhitespace }.padding(toMultipleOf: 4), options: .ignoreUnknownCharacters) ?? Data())
    }

    /// The images among `resources`, as `reader` sees them (an upload's stored scan header, or an inline scan's own).
    static func find(in resources: [StoredResource], reader: PatientRecordReader) async throws -> [Image] {
        var images: [Image] = []
        for resource in resources {
            guard let json = try? JSONParser.parse(resource.json) else { continue }
            var attachments: [RecordAttachment] = []
            var sniffedScans: Set<Int> = []
            for attachment in RecordAttachment.all(in: json) {
                if isImage(contentType: attachment.contentType) { attachments.append(attachment); continue }
                // Declared as something else: its bytes say whether it is an image after all.
                var head: [UInt8] = attachment.inlineData.map { Array($0.prefix(4096)) } ?? []
                if head.isEmpty, let reference = attachment.binaryReference, reference.hasPrefix("Binary/"),
                   let binary = try await reader.item(type: "Binary", id: String(reference.dropFirst(7))), let body = try? JSONParser.parse(binary.json) {
                    head = prefix(ofBase64: body["data"]?.stringValue ?? "")
                }
                if sniffedImage(head) {
                    attachments.append(attachment)
                    if sniffedScan(head) { sniffedScans.insert(attachment.index) }
                }
            }
            guard !attachments.isEmpty else { continue }
            let name = RecordEntry(resourceType: resource.resourceType, id: resource.id, json: json).name
            var header: DICOMHeader?
            var scan = false
            var photoUpload: String?
            for attachment in attachments where !isScan(contentType: attachment.contentType) && !sniffedScans.contains(attachment.index) {
                if let reference = attachment.binaryReference, reference.hasPrefix("Binary/"),
                   let upload = try await reader.upload(id: String(reference.dropFirst(7))), upload.kind.isImage {
                    photoUpload = upload.id
                }
            }
            for attachment in attachments where isScan(contentType: attachment.contentType) || sniffedScans.contains(attachment.index) {
                scan = true
                if let data = attachment.inlineData {
                    header = try? DICOMHeader.read(Array(data.prefix(1 << 20)))
                } else if let reference = attachment.binaryReference, reference.hasPrefix("Binary/"),
                          let upload = try await reader.upload(id: String(reference.dropFirst(7))) {
                    header = upload.dicomHeader
                }
            }
            images.append(Image(reference: "\(resource.resourceType)/\(resource.id)", title: name, isScan: scan,
                                needsBurnedInCheck: scan && (header?.needsBurnedInCheck ?? true), summary: header.map(summary), photoUpload: photoUpload))
        }
        return images
    }

    /// "CT, 512 × 512, 1 frame".
    static func summary(_ header: DICOMHeader) -> String {
        var parts: [String] = []
        if let modality = header.modality, !modality.isEmpty { parts.append(modality) }
        if let rows = header.rows, let columns = header.columns { parts.append("\(columns) × \(rows)") }
        parts.append(header.frames == 1 ? "1 frame" : "\(header.frames) frames")
        return parts.joined(separator: ", ")
    }

    /// `resource` without the inline bytes of its images (they leave only de-identified, one by one from
    /// the item's page), and nil for a Binary that holds an image.
    static func withoutImageData(_ resource: StoredResource) -> StoredResource? {
        // Only resources carrying bytes (a Binary, an attachment's `data`) are looked at: the type as
        // declared (in any case) and the bytes themselves.
        guard resource.resourceType == "Binary" || resource.json.contains("\"data\":"), let json = try? JSONParser.parse(resource.json) else { return resource }
        if resource.resourceType == "Binary" {
            let isImageBinary = isImage(contentType: json["contentType"]?.stringValue ?? "") || sniffedImage(prefix(ofBase64: json["data"]?.stringValue ?? ""))
            return isImageBinary ? nil : resource
        }
        return resource.with(json: stripped(json, depth: 0).jsonText)
    }

    private static func stripped(_ value: JSONValue, depth: Int) -> JSONValue {
        guard depth < 64 else { return value }
        switch value {
        case .object(let members):
            let declared = members.first { $0.key == "contentType" }?.value.stringValue.map(isImage(contentType:)) ?? false
            let image = declared || (members.first { $0.key == "data" }?.value.stringValue.map { sniffedImage(prefix(ofBase64: $0)) } ?? false)
            return .object(members.compactMap { member in
                if image && member.key == "data" { return nil }
                return (member.key, stripped(member.value, depth: depth + 1))
            })
        case .array(let items): return .array(items.map { stripped($0, depth: depth + 1) })
        default: return value
        }
    }
}

extension String {
    /// The text with `=` added up to a multiple of `n` characters (base64 cut short).
    fileprivate func padding(toMultipleOf n: Int) -> String {
        count % n == 0 ? self : self + String(repeating: "=", count: n - count % n)
    }
}

extension Optional {
    /// `transform` of the wrapped value, awaited; nil when there is none.
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
