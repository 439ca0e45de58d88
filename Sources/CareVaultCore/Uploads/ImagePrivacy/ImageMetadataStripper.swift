/// Removes what identifies people or places from an image as it streams: EXIF (camera, GPS, dates,
/// maker notes, the embedded thumbnail), XMP, IPTC, comments and text chunks. The picture itself
/// is untouched. A JPEG's EXIF orientation is kept (as a minimal EXIF block holding only it), so a
/// photo still shows the right way up.
///
/// JPEG: segments before the first scan are filtered; from the first scan (SOS) on, bytes pass
/// through unchanged up to the end-of-image marker. PNG: ancillary text, time and EXIF chunks are
/// dropped whole, others pass, up to the IEND chunk. Whatever follows the end of the image is
/// dropped: phones append more there (MPF depth and gain-map images with their own EXIF, Samsung
/// trailers, a motion photo's video).
/// TIFF and HEIF cannot be cleaned in one pass (their metadata is where offsets point): see
/// ``TIFFMetadataScrubber`` and ``HEIFMetadataScrubber``.
public struct ImageMetadataStripper {
    public enum Failure: Error, Equatable { case malformed }

    private enum Format { case jpeg, png }
    private let format: Format
    private var buffer: [UInt8] = []
    private var started = false
    private var passThrough = false
    /// PNG: bytes still to copy (or skip) of the current chunk.
    private var remaining = 0
    private var skipping = false
    /// PNG: the chunk being copied is IEND.
    private var atEnd = false
    /// The image has ended: every further byte is dropped.
    private var ended = false
    /// JPEG after the first scan: the previous chunk ended in 0xFF (half of a marker).
    private var pendingFF = false
    /// What was removed, by name ("EXIF", "GPS" is inside EXIF, "XMP", …), for the page to say.
    public private(set) var removed: Set<String> = []

    /// A stripper for kinds that carry such metadata in a form it handles (JPEG, PNG); nil otherwise.
    public init?(kind: UploadKind) {
        switch kind {
        case .jpeg: format = .jpeg
        case .png: format = .png
        default: return nil
        }
    }

    /// The cleaned bytes available so far.
    public mutating func update(_ bytes: some Collection<UInt8>) throws -> [UInt8] {
        if ended {
            if !bytes.isEmpty { removed.insert("data after the image") }
            return []
        }
        if passThrough { return untilEndOfImage(Array(bytes)) }
        buffer.append(contentsOf: bytes)
        switch format {
        case .jpeg: return try jpeg()
        case .png: return try png()
        }
    }

    /// The rest; throws if the image ended in the middle of its header segments.
    public mutating func finish() throws -> [UInt8] {
        if passThrough || ended || (format == .png && buffer.isEmpty && remaining == 0) { return [] }
        throw Failure.malformed
    }

    // MARK: JPEG

    // Both formats read `buffer` through a cursor and drop what they consumed once per call:
    // removing bytes from the front one segment (or fill byte) at a time made a file of tiny segments
    // cost time quadratic in the chunk size.

    private mutating func jpeg() throws -> [UInt8] {
        var out: [UInt8] = []
        var at = 0
        defer { buffer.removeFirst(at) }
        if !started {
            guard buffer.count >= 2 else { return [] }
            guard buffer[0] == 0xFF, buffer[1] == 0xD8 else { throw Failure.malformed }
            out += [0xFF, 0xD8]
            at = 2
            started = true
        }
        while true {
            guard buffer.count - at >= 4 else { return out }
            guard buffer[at] == 0xFF else { throw Failure.malformed }
            let marker = buffer[at + 1]
            if marker == 0xFF { at += 1; continue }  // fill byte
            let length = Int(buffer[at + 2]) << 8 | Int(buffer[at + 3])
            guard length >= 2 else { throw Failure.malformed }
            if marker == 0xDA {  // start of scan: the image data follows, unchanged to the end of the image
                passThrough = true
                out += untilEndOfImage(Array(buffer[at...]))
                at = buffer.count
                return out
            }
            guard buffer.count - at >= 2 + length else { return out }
            let segment = buffer[at..<(at + 2 + length)]
            let payload = segment.dropFirst(4)
            at += 2 + length
            switch marker {
            case 0xE1:
                if Self.starts(payload, "Exif\0\0") {
                    removed.insert("EXIF")
                    if let orientation = Self.exifOrientation(Array(payload.dropFirst(6))), orientation != 1 {
                        out += Self.orientationOnlyEXIF(orientation)
                    }
                } else {
                    removed.insert("XMP")
                }
            case 0xED: removed.insert("IPTC")
            case 0xFE: removed.insert("comment")
            case 0xE0 where Self.starts(payload, "JFXX"): removed.insert("thumbnail")
            case 0xE2 where !Self.starts(payload, "ICC_PROFILE"): removed.insert("extra images")
            case 0xE3...0xEF where marker != 0xEE: removed.insert("maker data")
            default: out += segment  // JFIF, ICC colour profile, Adobe colour transform, tables, frame header
            }
        }
    }

    /// Scan data up to and including the end-of-image marker (FF D9, which entropy-coded data never
    /// contains: a data byte 0xFF is always followed by 0x00); what follows it is dropped.
    private mutating func untilEndOfImage(_ bytes: [UInt8]) -> [UInt8] {
        var end: Int?
        if pendingFF, bytes.first == 0xD9 {
            end = 0
        } else {
            var index = 0
            while index < bytes.count - 1 {
                if bytes[index] == 0xFF, bytes[index + 1] == 0xD9 { end = index + 1; break }
                index += 1
            }
        }
        guard let end else {
            pendingFF = bytes.last == 0xFF
            return bytes
        }
        ended = true
        if end + 1 < bytes.count { removed.insert("data after the image") }
        return Array(bytes[...end])
    }

    static func starts(_ bytes: ArraySlice<UInt8>, _ text: String) -> Bool {
        bytes.count >= text.utf8.count && zip(bytes, text.utf8).allSatisfy { $0 == $1 }
    }

    /// Orientation (tag 0x0112) from a TIFF structure's first IFD, if present and sane.
    static func exifOrientation(_ tiff: [UInt8]) -> Int? {
        guard tiff.count >= 8 else { return nil }
        let little = tiff[0] == 0x49 && tiff[1] == 0x49
        guard little || (tiff[0] == 0x4D && tiff[1] == 0x4D) else { return nil }
        func u16(_ i: Int) -> Int? { i + 2 <= tiff.count ? (little ? Int(tiff[i]) | Int(tiff[i + 1]) << 8 : Int(tiff[i]) << 8 | Int(tiff[i + 1])) : nil }
        func u32(_ i: Int) -> Int? { guard let a = u16(i), let b = u16(i + 2) else { return nil }; return little ? a | b << 16 : a << 16 | b }
        guard let ifd = u32(4), let count = u16(ifd), count < 1000 else { return nil }
        for n in 0..<count {
            let entry = ifd + 2 + n * 12
            guard let tag = u16(entry) else { return nil }
            if tag == 0x0112, let value = u16(entry + 8), (1...8).contains(value) { return value }
        }
        return nil
    }

    /// An APP1 segment holding only an EXIF orientation.
    static func orientationOnlyEXIF(_ orientation: Int) -> [UInt8] {
        let tiff: [UInt8] = [0x4D, 0x4D, 0x00, 0x2A, 0, 0, 0, 8,   // big-endian header, IFD0 at 8
                             0, 1,                                  // one entry
                             0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, UInt8(orientation), 0, 0,  // Orientation SHORT 1
                             0, 0, 0, 0]                            // no next IFD
        let payload = Array("Exif".utf8) + [0, 0] + tiff
        let length = payload.count + 2
        return [0xFF, 0xE1, UInt8(length >> 8), UInt8(length & 0xFF)] + payload
    }

    // MARK: PNG

    static let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    static let pngDropped: Set<String> = ["eXIf", "tEXt", "zTXt", "iTXt", "tIME"]

    private mutating func png() throws -> [UInt8] {
        var out: [UInt8] = []
        var at = 0
        defer { if !buffer.isEmpty { buffer.removeFirst(at) } }
        if !started {
            guard buffer.count >= 8 else { return [] }
            guard Array(buffer[0..<8]) == Self.pngSignature else { throw Failure.malformed }
            out += Self.pngSignature
            at = 8
            started = true
        }
        while at < buffer.count {
            if remaining > 0 {
                let take = min(remaining, buffer.count - at)
                if !skipping { out += buffer[at..<(at + take)] }
                at += take
                remaining -= take
                if remaining == 0, atEnd {
                    ended = true
                    if at < buffer.count { removed.insert("data after the image") }
                    buffer = []
                    return out
                }
                continue
            }
            guard buffer.count - at >= 8 else { return out }
            let length = Int(buffer[at]) << 24 | Int(buffer[at + 1]) << 16 | Int(buffer[at + 2]) << 8 | Int(buffer[at + 3])
            guard length >= 0, length < 1 << 31 else { throw Failure.malformed }
            let type = String(decoding: buffer[(at + 4)..<(at + 8)], as: UTF8.self)
            atEnd = type == "IEND"
            skipping = Self.pngDropped.contains(type)
            if skipping { removed.insert(type == "eXIf" ? "EXIF" : "text") }
            remaining = length + 12  // length, type, data, CRC
        }
        return out
    }
}
