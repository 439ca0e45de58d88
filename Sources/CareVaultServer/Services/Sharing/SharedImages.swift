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

    /// The images among `resources`, as `reader` sees them (an upload's stored scan header, or an inline scan's own).
    static func find(in resources: [StoredResource], reader: PatientRecordReader) async throws -> [Image] {
        var images: [Image] = []
        for resource in resources {
            guard let json = try? JSONParser.parse(resource.json) else { continue }
            let attachments = RecordAttachment.all(in: json).filter { isImage(contentType: $0.contentType) }
            guard !attachments.isEmpty else { continue }
            let name = RecordEntry(resourceType: resource.resourceType, id: resource.id, json: json).name
            var header: DICOMHeader?
            var scan = false
            var photoUpload: String?
            for attachment in attachments where !isScan(contentType: attachment.contentType) {
                if let reference = attachment.binaryReference, reference.hasPrefix("Binary/"),
                   let upload = try await reader.upload(id: String(reference.dropFirst(7))), upload.kind.isImage {
                    photoUpload = upload.id
                }
            }
            for attachment in attachments where isScan(contentType: attachment.contentType) {
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

    /// `json` without the inline bytes of its images (they leave only de-identified, one by one from
    /// the item's page), and nil for a Binary that holds an image.
    static func withoutImageData(_ resource: StoredResource) -> StoredResource? {
        guard resource.json.contains("image/") || resource.json.contains("application/dicom"),
              let json = try? JSONParser.parse(resource.json) else { return resource }
        if resource.resourceType == "Binary" {
            return isImage(contentType: json["contentType"]?.stringValue ?? "") ? nil : resource
        }
        return resource.with(json: stripped(json, depth: 0).jsonText)
    }

    private static func stripped(_ value: JSONValue, depth: Int) -> JSONValue {
        guard depth < 64 else { return value }
        switch value {
        case .object(let members):
            let image = members.first { $0.key == "contentType" }?.value.stringValue.map(isImage(contentType:)) ?? false
            return .object(members.compactMap { member in
                if image && member.key == "data" { return nil }
                return (member.key, stripped(member.value, depth: depth + 1))
            })
        case .array(let items): return .array(items.map { stripped($0, depth: depth + 1) })
        default: return value
        }
    }
}
