import CareVaultCore
import Foundation

/// How pages describe files: their size, what kind they are, a scan's header and dates.
enum FileWords {
    /// "812 bytes", "14 KB", "2.3 MB".
    static func size(_ bytes: Int64) -> String {
        bytes < 1024 ? "\(bytes) bytes" : bytes < 1_048_576 ? "\(bytes / 1024) KB" : String(format: "%.1f MB", Double(bytes) / 1_048_576)
    }

    /// "PDF", "image", "text" or "file", from a content type.
    static func kindName(_ contentType: String) -> String {
        switch contentType.split(separator: ";").first.map(String.init) ?? "" {
        case "application/pdf": "PDF"
        case "text/plain": "text"
        case let type where type.hasPrefix("image/"): "image"
        default: "file"
        }
    }

    /// "CT, 128 × 128, 1 frame" (what is known of a scan).
    static func imageSummary(_ header: DICOMHeader) -> String {
        var parts = [header.modality, header.studyDescription].compactMap { $0 }.filter { !$0.isEmpty }
        if let rows = header.rows, let columns = header.columns { parts.append("\(columns) × \(rows)") }
        parts.append(header.frames == 1 ? "1 frame" : "\(header.frames) frames")
        return parts.joined(separator: ", ")
    }

    /// A DICOM date (`YYYYMMDD`) in words; anything else as it is.
    static func dicomDate(_ value: String) -> String {
        guard value.count == 8, value.allSatisfy(\.isNumber) else { return value }
        let iso = "\(value.prefix(4))-\(value.dropFirst(4).prefix(2))-\(value.suffix(2))"
        let words = PlainDate.day(iso)
        return words == iso ? value : words
    }
}
