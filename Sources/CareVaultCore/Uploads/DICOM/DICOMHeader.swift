import Foundation

/// What a DICOM Part 10 file says about whom and what it shows, read from its header (the data
/// before the pixels). Only the handful of elements CareVault shows or must remove before sharing
/// are kept; everything else is skipped by its length.
public struct DICOMHeader: Sendable, Equatable, Codable {
    /// The elements that identify the patient or the visit: shown to the patient, removed for sharing.
    public var identifying: [Element] = []
    public var modality: String?
    public var studyDescription: String?
    public var rows: Int?
    public var columns: Int?
    /// Frames in the image (1 when the file does not say).
    public var frames = 1
    public var transferSyntax: String = ""
    /// Burned In Annotation (0028,0301): whether the pixels themselves show text such as a name.
    public var burnedInAnnotation: String?
    /// SOP Class UID (0008,0016): secondary captures (screenshots, scanned papers) often show text.
    public var sopClassUID: String?

    /// Modalities whose images often have text burned into the pixels (ultrasound, endoscopy, photos,
    /// secondary capture, "other").
    static let burnedInModalities: Set<String> = ["US", "ES", "XC", "SC", "OT", "GM", "SM", "DOC"]

    /// Whether a person must look at the image before it leaves: Burned In Annotation is not "NO", or
    /// its kind often carries burned-in text.
    public var needsBurnedInCheck: Bool {
        burnedInAnnotation?.uppercased() != "NO" || Self.burnedInModalities.contains(modality ?? "")
            || (sopClassUID ?? "").hasPrefix("1.2.840.10008.5.1.4.1.1.7")
    }

    public struct Element: Sendable, Equatable, Codable {
        /// `(0010,0010)`
        public let tag: String
        /// "Patient's name"
        public let name: String
        public let value: String
    }

    /// The identifying elements CareVault looks for, in the order shown.
    static let identifyingTags: [(group: UInt16, element: UInt16, name: String)] = [
        (0x0010, 0x0010, "Patient's name"), (0x0010, 0x0020, "Patient ID"), (0x0010, 0x0030, "Birth date"),
        (0x0010, 0x0040, "Sex"), (0x0008, 0x0050, "Accession number"), (0x0008, 0x0080, "Institution"),
        (0x0008, 0x0090, "Referring physician"), (0x0008, 0x0020, "Study date"), (0x0008, 0x0021, "Series date"),
        (0x0008, 0x0022, "Acquisition date"), (0x0008, 0x0023, "Content date"),
    ]

    /// How deep sequences may nest. Real files nest a handful of levels (a structured report a dozen
    /// or so); a hostile file nested 52,000 deep once overflowed the stack.
    public static let maxSequenceDepth = 64
    /// How many elements (items and delimiters included) a header may hold before it is refused.
    public static let maxElements = 200_000

    /// Why a header could not be read.
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case notPart10, truncated, unsupportedTransferSyntax(String)
        /// Sequences nested deeper than ``DICOMHeader/maxSequenceDepth``.
        case nestedTooDeeply
        /// More elements than ``DICOMHeader/maxElements``.
        case tooManyElements

        /// True for a structure no real scanner writes: the file is refused rather than kept without a summary.
        public var isHostile: Bool { self == .nestedTooDeeply || self == .tooManyElements }

        public var description: String {
            switch self {
            case .notPart10: "is not a DICOM Part 10 file"
            case .truncated: "ends in the middle of its header"
            case .unsupportedTransferSyntax(let uid): "uses a transfer syntax CareVault cannot read (\(uid))"
            case .nestedTooDeeply: "nests sequences more than \(DICOMHeader.maxSequenceDepth) deep"
            case .tooManyElements: "has more than \(DICOMHeader.maxElements) header elements"
            }
        }
    }

    /// Reads the header from the file's first bytes (up to the pixel data; the first megabyte is plenty
    /// for ordinary files). Stops quietly at the pixel data or the end of what it was given.
    public static func read(_ bytes: [UInt8]) throws(Failure) -> DICOMHeader {
        guard bytes.count >= 132, Array(bytes[128..<132]) == Array("DICM".utf8) else { throw .notPart10 }
        var reader = DICOMReader(bytes: bytes, offset: 132, explicit: true, littleEndian: true)
        var header = DICOMHeader()
        // File meta information: always explicit VR little endian, group 0002.
        while let peek = reader.peekGroup(), peek == 0x0002 {
            guard let element = try reader.next() else { break }
            if element.element == 0x0010 { header.transferSyntax = element.text }
        }
        switch header.transferSyntax {
        case "1.2.840.10008.1.2": reader.explicit = false
        case "1.2.840.10008.1.2.2": reader.littleEndian = false
        case "1.2.840.10008.1.2.1.99": throw .unsupportedTransferSyntax(header.transferSyntax)  // deflated dataset
        default: break  // explicit VR little endian, and the compressed-pixel syntaxes (their headers are explicit little)
        }
        while let element = try reader.next() {
            if element.group == 0x7FE0 && element.element == 0x0010 { break }  // pixel data: the header is over
            if let known = identifyingTags.first(where: { $0.group == element.group && $0.element == element.element }) {
                let value = element.text
                if !value.isEmpty {
                    header.identifying.append(Element(tag: String(format: "(%04X,%04X)", element.group, element.element), name: known.name,
                                                      value: known.group == 0x0010 && known.element == 0x0010 ? value.replacingOccurrences(of: "^", with: " ")
                                                          .trimmingCharacters(in: .whitespaces) : value))
                }
            }
            switch (element.group, element.element) {
            case (0x0008, 0x0060): header.modality = element.text
            case (0x0008, 0x0016): header.sopClassUID = element.text
            case (0x0028, 0x0301): header.burnedInAnnotation = element.text
            case (0x0008, 0x1030): header.studyDescription = element.text
            case (0x0028, 0x0008): header.frames = Int(element.text) ?? 1
            case (0x0028, 0x0010): header.rows = element.uint16
            case (0x0028, 0x0011): header.columns = element.uint16
            default: break
            }
        }
        header.identifying.sort { a, b in
            (identifyingTags.firstIndex { $0.name == a.name } ?? 0) < (identifyingTags.firstIndex { $0.name == b.name } ?? 0)
        }
        return header
    }
}

/// Walks DICOM data elements (PS3.5 §7), skipping values and sequences it does not need.
struct DICOMReader {
    struct RawElement {
        let group: UInt16
        let element: UInt16
        let value: ArraySlice<UInt8>
        let littleEndian: Bool

        /// A text value without padding (spaces and NULs).
        var text: String {
            String(decoding: value, as: UTF8.self).trimmingCharacters(in: CharacterSet(charactersIn: " \0"))
        }

        var uint16: Int? {
            guard value.count >= 2 else { return nil }
            let a = Int(value[value.startIndex]), b = Int(value[value.startIndex + 1])
            return littleEndian ? a | b << 8 : a << 8 | b
        }
    }

    let bytes: [UInt8]
    var offset: Int
    var explicit: Bool
    var littleEndian: Bool
    /// How many sequences the reader is inside now.
    private var depth = 0
    /// Elements read so far, at every level.
    private var elementsRead = 0

    init(bytes: [UInt8], offset: Int, explicit: Bool, littleEndian: Bool) {
        self.bytes = bytes
        self.offset = offset
        self.explicit = explicit
        self.littleEndian = littleEndian
    }

    static let longVRs: Set<String> = ["OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV"]

    func u16(_ at: Int, little: Bool? = nil) -> UInt16 {
        let a = UInt16(bytes[at]), b = UInt16(bytes[at + 1])
        return (little ?? littleEndian) ? a | b << 8 : a << 8 | b
    }

    func u32(_ at: Int, little: Bool? = nil) -> UInt32 {
        let l = little ?? littleEndian
        let a = UInt32(u16(at, little: l)), b = UInt32(u16(at + 2, little: l))
        return l ? a | b << 16 : a << 16 | b
    }

    func peekGroup() -> UInt16? {
        offset + 2 <= bytes.count ? u16(offset, little: true) : nil
    }

    /// The next element at the top level, or nil at the end of the bytes given.
    mutating func next() throws(DICOMHeader.Failure) -> RawElement? {
        guard offset + 8 <= bytes.count else { return nil }
        try count()
        // Group 0002 is explicit little endian whatever the dataset's syntax is.
        let meta = u16(offset, little: true) == 0x0002
        let little = meta ? true : littleEndian
        let isExplicit = meta ? true : explicit
        let group = u16(offset, little: little), element = u16(offset + 2, little: little)
        var length: UInt32
        var isSequence = false
        if isExplicit {
            let vr = String(decoding: bytes[(offset + 4)..<(offset + 6)], as: UTF8.self)
            if Self.longVRs.contains(vr) {
                guard offset + 12 <= bytes.count else { return nil }
                length = u32(offset + 8, little: little)
                offset += 12
                isSequence = vr == "SQ"
            } else {
                length = UInt32(u16(offset + 6, little: little))
                offset += 8
            }
        } else {
            length = u32(offset + 4, little: little)
            offset += 8
        }
        if length == 0xFFFF_FFFF {
            // Undefined length: a sequence (or encapsulated pixel data) ending at a delimiter.
            if group == 0x7FE0 && element == 0x0010 { return RawElement(group: group, element: element, value: [], littleEndian: little) }
            try skipUndefinedLength()
            return RawElement(group: group, element: element, value: [], littleEndian: little)
        }
        let end = offset + Int(length)
        guard end <= bytes.count else {
            // A value running past what we were given (the pixels, usually): the header part is done.
            offset = bytes.count
            return group == 0x7FE0 ? RawElement(group: group, element: element, value: [], littleEndian: little) : nil
        }
        let value = isSequence ? [] : bytes[offset..<end]
        offset = end
        return RawElement(group: group, element: element, value: value, littleEndian: little)
    }

    /// Counts one more element against ``DICOMHeader/maxElements``.
    private mutating func count() throws(DICOMHeader.Failure) {
        elementsRead += 1
        guard elementsRead <= DICOMHeader.maxElements else { throw .tooManyElements }
    }

    /// Skips items until the sequence delimiter (FFFE,E0DD), nested sequences included. The nesting
    /// recurses (next → here → an item → next), so it is bounded by ``DICOMHeader/maxSequenceDepth``.
    mutating func skipUndefinedLength() throws(DICOMHeader.Failure) {
        guard depth < DICOMHeader.maxSequenceDepth else { throw .nestedTooDeeply }
        depth += 1
        defer { depth -= 1 }
        while offset + 8 <= bytes.count {
            try count()
            let group = u16(offset), element = u16(offset + 2)
            let length = u32(offset + 4)
            offset += 8
            if group == 0xFFFE && element == 0xE0DD { return }  // sequence delimiter
            if group == 0xFFFE && element == 0xE00D { continue }  // item delimiter
            if group == 0xFFFE && element == 0xE000 {  // item
                if length == 0xFFFF_FFFF { try skipItemOfUndefinedLength() } else { offset += Int(length) }
                continue
            }
            throw .truncated
        }
        throw .truncated
    }

    /// Walks an item's elements until its delimiter (FFFE,E00D).
    mutating func skipItemOfUndefinedLength() throws(DICOMHeader.Failure) {
        while offset + 8 <= bytes.count {
            if u16(offset) == 0xFFFE && u16(offset + 2) == 0xE00D {
                offset += 8
                return
            }
            guard try next() != nil else { throw .truncated }
        }
        throw .truncated
    }
}
