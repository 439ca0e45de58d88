import Crypto
import Foundation

/// De-identifies a DICOM Part 10 file before it leaves the clinic (a share), after the DICOM Basic
/// Application Level Confidentiality Profile (PS3.15 Annex E): what is kept is a short list of
/// attributes needed to show the image and known not to identify anyone (the image pixel module,
/// modality, geometry); patient and study identifiers are emptied; UIDs are replaced consistently
/// within one share (a keyed hash of the original, as `2.25.` UUID-derived UIDs); every other attribute
/// — institution, people, descriptions, private tags, every sequence, overlays, waveforms — is removed,
/// in the file meta group too; dates are kept
/// or shifted by the patient's choice (the profile's longitudinal temporal options); Patient Identity
/// Removed is YES. The pixel data is copied byte for byte.
///
/// Keeping a list rather than removing one means an attribute the profile adds later is removed too.
public struct DICOMDeidentifier: Sendable {
    /// What happens to dates.
    public enum Dates: Sendable, Equatable {
        /// Kept as they are (Retain Longitudinal Temporal Information with Full Dates).
        case keep
        /// Moved by this many days, the same for every date of the share (Modified Dates).
        case shift(days: Int)
    }

    /// Why a file could not be de-identified (it then does not leave).
    public enum Failure: Error, Equatable {
        case unreadable(DICOMHeader.Failure)
    }

    private let key: SymmetricKey
    public let dates: Dates

    /// `key`: the share's key (UIDs map the same way throughout a share, differently in another).
    public init(key: SymmetricKey, dates: Dates) {
        self.key = key
        self.dates = dates
    }

    /// Attributes kept as they are: the image and how to show it; none identifies anyone.
    static let kept: Set<UInt32> = [
        0x0008_0005, 0x0008_0008, 0x0008_0016, 0x0008_0060, 0x0008_0064, 0x0008_0070,
        0x0018_0015, 0x0018_0050, 0x0018_0060, 0x0018_0088, 0x0018_5100,
        0x0020_0011, 0x0020_0012, 0x0020_0013, 0x0020_0020, 0x0020_0032, 0x0020_0037, 0x0020_0060, 0x0020_1041,
        0x0008_0030, 0x0008_0031, 0x0008_0032, 0x0008_0033,  // times: kept with the dates (longitudinal option)
        0x7FE0_0010,
    ]
    /// Groups kept: the image pixel description (0028, but for its comments and any sequence).
    static let keptGroups: Set<UInt16> = [0x0028]
    static let removedInKeptGroups: Set<UInt32> = [0x0028_4000]
    /// Identifiers emptied (type 2: present, zero length).
    static let emptied: Set<UInt32> = [0x0010_0010, 0x0010_0020, 0x0010_0030, 0x0010_0040, 0x0008_0050, 0x0008_0090, 0x0020_0010]
    /// UIDs replaced (palette colour lookup table UIDs are in the kept group 0028).
    static let replacedUIDs: Set<UInt32> = [0x0008_0018, 0x0020_000D, 0x0020_000E, 0x0020_0052, 0x0020_0200, 0x0008_0014, 0x0028_1199, 0x0028_1214]
    /// File meta elements kept: the version, the SOP class, the transfer syntax and the writer's implementation
    /// (the SOP instance is replaced; addresses, titles and private information are removed).
    static let keptMeta: Set<UInt16> = [0x0001, 0x0002, 0x0010, 0x0012, 0x0013]
    /// Dates (DA) kept or shifted.
    static let dateTags: Set<UInt32> = [0x0008_0020, 0x0008_0021, 0x0008_0022, 0x0008_0023]

    /// A de-identifier whose UID mapping and date shift follow from `secret` (a share's key material).
    public init(secret: some DataProtocol, dates: Dates) {
        self.init(key: SymmetricKey(data: SHA256.hash(data: Data(secret))), dates: dates)
    }

    /// The days a share's dates move when shifted: 30 to 395 days back, from its key material.
    public static func shiftDays(secret: some DataProtocol) -> Int {
        let digest = Array(SHA256.hash(data: Data("date-shift:".utf8) + Data(secret)))
        return -(30 + (Int(digest[0]) << 8 | Int(digest[1])) % 366)
    }

    /// The UID that replaces `uid` in this share: `2.25.` and the first 128 bits of a keyed hash, in decimal.
    public func replacement(forUID uid: String) -> String {
        let mac = Array(HMAC<SHA256>.authenticationCode(for: Data(uid.utf8), using: key))
        var value: UInt128 = 0
        for byte in mac.prefix(16) { value = value << 8 | UInt128(byte) }
        return "2.25.\(value)"
    }

    /// The de-identified file.
    public func deidentify(_ bytes: [UInt8]) throws(Failure) -> [UInt8] {
        guard bytes.count >= 132, Array(bytes[128..<132]) == Array("DICM".utf8) else { throw .unreadable(.notPart10) }
        var reader = DICOMReader(bytes: bytes, offset: 132, explicit: true, littleEndian: true)
        var meta: [(tag: UInt32, bytes: [UInt8])] = []
        var transferSyntax = ""
        do {
            while let group = reader.peekGroup(), group == 0x0002 {
                let start = reader.offset
                guard let element = try reader.next() else { throw DICOMHeader.Failure.truncated }
                let tag = UInt32(element.group) << 16 | UInt32(element.element)
                let vr = try Self.vr(bytes, at: start)
                if element.element == 0x0003 {
                    meta.append((tag, Self.encode(tag, vr: vr, value: Self.pad(replacement(forUID: element.text), vr: vr), explicit: true, little: true)))
                } else if Self.keptMeta.contains(element.element) && vr != "SQ" {
                    if element.element == 0x0010 { transferSyntax = element.text }
                    meta.append((tag, Array(bytes[start..<reader.offset])))
                }  // everything else in the meta group (its length is recomputed) is left out
            }
            switch transferSyntax {
            case "1.2.840.10008.1.2": reader.explicit = false
            case "1.2.840.10008.1.2.2": reader.littleEndian = false
            case "1.2.840.10008.1.2.1.99": throw DICOMHeader.Failure.unsupportedTransferSyntax(transferSyntax)
            default: break
            }
            guard !transferSyntax.isEmpty else { throw DICOMHeader.Failure.notPart10 }
            var dataset: [(tag: UInt32, bytes: [UInt8])] = []
            let (explicit, little) = (reader.explicit, reader.littleEndian)
            while reader.offset < bytes.count {
                let start = reader.offset
                guard let element = try reader.next() else {
                    if reader.offset < bytes.count { throw DICOMHeader.Failure.truncated }
                    break
                }
                let tag = UInt32(element.group) << 16 | UInt32(element.element)
                if tag == 0x7FE0_0010 && element.value.isEmpty {
                    if Self.undefinedLength(bytes, start: start, explicit: explicit) {
                        try reader.skipFragments()
                    } else if Self.declaredLength(bytes, start: start, explicit: explicit, little: little) > 0 {
                        throw DICOMHeader.Failure.truncated  // the pixels run past the end of the file
                    }
                }
                let vr = explicit ? try Self.vr(bytes, at: start) : nil
                if element.group % 2 == 1 || element.element == 0x0000 { continue }  // private, and group lengths
                if Self.emptied.contains(tag) {
                    dataset.append((tag, Self.encode(tag, vr: vr, value: [], explicit: explicit, little: little)))
                } else if Self.replacedUIDs.contains(tag) {
                    let value = Self.pad(replacement(forUID: element.text), vr: "UI")
                    dataset.append((tag, Self.encode(tag, vr: vr, value: value, explicit: explicit, little: little)))
                } else if Self.dateTags.contains(tag) {
                    let value = Self.pad(shifted(element.text), vr: "DA")
                    dataset.append((tag, Self.encode(tag, vr: vr, value: value, explicit: explicit, little: little)))
                } else if Self.kept.contains(tag) || (Self.keptGroups.contains(element.group) && !Self.removedInKeptGroups.contains(tag)) {
                    // Sequences are not kept, even in a kept group: their items could carry anything.
                    guard tag == 0x7FE0_0010 || !Self.isSequence(bytes, start: start, end: reader.offset, explicit: explicit, little: little) else { continue }
                    dataset.append((tag, Array(bytes[start..<reader.offset])))
                }
            }
            let method = "CareVault: DICOM PS3.15 Basic Profile, " + (dates == .keep ? "full dates retained" : "dates shifted")
            dataset.append((0x0012_0062, Self.encode(0x0012_0062, vr: explicit ? "CS" : nil, value: Self.pad("YES", vr: "CS"), explicit: explicit, little: little)))
            dataset.append((0x0012_0063, Self.encode(0x0012_0063, vr: explicit ? "LO" : nil, value: Self.pad(method, vr: "LO"), explicit: explicit, little: little)))
            var metaBody: [UInt8] = []
            for element in meta.sorted(by: { $0.tag < $1.tag }) { metaBody += element.bytes }
            var out = [UInt8](repeating: 0, count: 128) + Array("DICM".utf8)
            out += Self.encode(0x0002_0000, vr: "UL", value: Self.u32(UInt32(metaBody.count), little: true), explicit: true, little: true)
            out += metaBody
            for element in dataset.sorted(by: { $0.tag < $1.tag }) { out += element.bytes }
            return out
        } catch let failure as DICOMHeader.Failure {
            throw .unreadable(failure)
        } catch {
            throw .unreadable(.truncated)
        }
    }

    /// `text` (a DA value, `YYYYMMDD`) moved by the share's shift; empty or odd values are emptied.
    func shifted(_ text: String) -> String {
        guard case .shift(let days) = dates else { return text }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        guard text.count == 8, let year = Int(text.prefix(4)), let month = Int(text.dropFirst(4).prefix(2)), let day = Int(text.suffix(2)),
              let date = calendar.date(from: DateComponents(year: year, month: month, day: day)),
              let moved = calendar.date(byAdding: .day, value: days, to: date)
        else { return "" }
        let c = calendar.dateComponents([.year, .month, .day], from: moved)
        return String(format: "%04d%02d%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0)
    }

    static func undefinedLength(_ bytes: [UInt8], start: Int, explicit: Bool) -> Bool {
        let at = explicit ? start + 8 : start + 4
        guard at + 4 <= bytes.count else { return false }
        return bytes[at] == 0xFF && bytes[at + 1] == 0xFF && bytes[at + 2] == 0xFF && bytes[at + 3] == 0xFF
    }

    /// The explicit VR at `start` (two capital letters, as every VR is); anything else is refused —
    /// found by fuzzing: garbage written back as text took three bytes and shifted the whole file.
    static func vr(_ bytes: [UInt8], at start: Int) throws(DICOMHeader.Failure) -> String {
        guard start + 6 <= bytes.count, (0x41...0x5A).contains(bytes[start + 4]), (0x41...0x5A).contains(bytes[start + 5]) else { throw .truncated }
        return String(decoding: bytes[(start + 4)..<(start + 6)], as: UTF8.self)
    }

    /// Whether the element at `start`–`end` is a sequence: VR SQ (explicit), undefined length, or a value
    /// that begins with an item (implicit VR gives no VR to go by).
    static func isSequence(_ bytes: [UInt8], start: Int, end: Int, explicit: Bool, little: Bool) -> Bool {
        if explicit, start + 6 <= bytes.count, bytes[start + 4] == UInt8(ascii: "S"), bytes[start + 5] == UInt8(ascii: "Q") { return true }
        if undefinedLength(bytes, start: start, explicit: explicit) { return true }
        let valueStart = explicit ? (longVRs.contains(String(decoding: bytes[(start + 4)..<(start + 6)], as: UTF8.self)) ? start + 12 : start + 8) : start + 8
        guard valueStart + 4 <= end else { return false }
        let item: [UInt8] = little ? [0xFE, 0xFF, 0x00, 0xE0] : [0xFF, 0xFE, 0xE0, 0x00]
        return Array(bytes[valueStart..<(valueStart + 4)]) == item
    }

    /// The value length an element's header declares (explicit VR pixel data has the long form).
    static func declaredLength(_ bytes: [UInt8], start: Int, explicit: Bool, little: Bool) -> Int {
        let at = explicit ? start + 8 : start + 4
        guard at + 4 <= bytes.count else { return 0 }
        let b = bytes[at..<(at + 4)].map(Int.init)
        return little ? b[0] | b[1] << 8 | b[2] << 16 | b[3] << 24 : b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]
    }

    static let longVRs: Set<String> = DICOMReader.longVRs

    /// One element in the dataset's encoding (`vr` nil: implicit VR).
    static func encode(_ tag: UInt32, vr: String?, value: [UInt8], explicit: Bool, little: Bool) -> [UInt8] {
        var out = u16(UInt16(tag >> 16), little: little) + u16(UInt16(tag & 0xFFFF), little: little)
        if explicit, let vr {
            out += Array(vr.utf8)
            if longVRs.contains(vr) {
                out += [0, 0] + u32(UInt32(value.count), little: little)
            } else {
                out += u16(UInt16(value.count), little: little)
            }
        } else {
            out += u32(UInt32(value.count), little: little)
        }
        return out + value
    }

    /// A text value padded to even length (UIDs with NUL, other text with a space).
    static func pad(_ text: String, vr: String?) -> [UInt8] {
        var value = Array(text.utf8)
        if value.count % 2 == 1 { value.append(vr == "UI" ? 0 : 0x20) }
        return value
    }

    static func u16(_ value: UInt16, little: Bool) -> [UInt8] {
        little ? [UInt8(value & 0xFF), UInt8(value >> 8)] : [UInt8(value >> 8), UInt8(value & 0xFF)]
    }

    static func u32(_ value: UInt32, little: Bool) -> [UInt8] {
        little ? u16(UInt16(value & 0xFFFF), little: true) + u16(UInt16(value >> 16), little: true)
            : u16(UInt16(value >> 16), little: false) + u16(UInt16(value & 0xFFFF), little: false)
    }
}

extension DICOMReader {
    /// Skips encapsulated pixel data's fragments (items of defined length) up to its sequence delimiter.
    mutating func skipFragments() throws(DICOMHeader.Failure) {
        while offset + 8 <= bytes.count {
            let group = u16(offset), element = u16(offset + 2), length = u32(offset + 4)
            offset += 8
            if group == 0xFFFE && element == 0xE0DD { return }
            guard group == 0xFFFE && element == 0xE000, length != 0xFFFF_FFFF, offset + Int(length) <= bytes.count else { throw .truncated }
            offset += Int(length)
        }
        throw .truncated
    }
}
