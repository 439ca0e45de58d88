/// Finds what to blank in a TIFF so that only the pictures are left: every page keeps the tags
/// needed to draw it (size, compression, colour, strips or tiles, orientation, resolution, the ICC
/// profile) and loses the rest — EXIF and GPS sub-directories, XMP, IPTC, maker notes, camera,
/// author, date and description tags — and reduced-resolution pages (thumbnails) leave the chain.
///
/// Nothing moves: each kept directory is rewritten in place with fewer entries, and every byte not
/// reachable from what is kept is zeroed, so anything identifying hidden in unreferenced space goes
/// too. Pages, strips and colour profiles stay where they were.
public enum TIFFMetadataScrubber {
    /// Tags a viewer needs to draw the image (TIFF 6.0 baseline and extensions, plus the ICC profile).
    static let keptTags: Set<Int> = [
        254, 255, 256, 257, 258, 259, 262, 263, 264, 265, 266, 273, 274, 277, 278, 279, 280, 281, 282, 283, 284,
        286, 287, 290, 291, 292, 293, 296, 297, 301, 317, 318, 319, 320, 321, 322, 323, 324, 325, 332, 334, 336,
        338, 339, 340, 341, 342, 347, 512, 513, 514, 515, 517, 518, 519, 520, 521, 529, 530, 531, 532, 34675,
    ]
    static let maxDirectories = 1024
    static let maxEntries = 4096

    struct Entry {
        let tag: Int
        let type: Int
        let count: Int
        /// The entry's 12 bytes as stored.
        let raw: [UInt8]
    }

    struct Directory {
        let offset: Int
        let entries: [Entry]
        let next: Int
    }

    /// The edits that clean `file`; throws `malformed` if it is not a TIFF that can be read safely.
    public static func edits(for file: some RandomAccessBytes) throws -> ImageEdits {
        let header = BinaryFields(try file.bytes(in: 0..<8))
        let little: Bool
        switch (header.bytes[0], header.bytes[1]) {
        case (0x49, 0x49): little = true
        case (0x4D, 0x4D): little = false
        default: throw ImageMetadataStripper.Failure.malformed
        }
        let fields = BinaryFields(header.bytes, littleEndian: little)
        guard try fields.u16(2) == 42 else { throw ImageMetadataStripper.Failure.malformed }

        var chain: [Directory] = []
        var seen: Set<Int> = []
        var next = try fields.u32(4)
        while next != 0 {
            guard seen.insert(next).inserted, chain.count < maxDirectories else { throw ImageMetadataStripper.Failure.malformed }
            let directory = try readDirectory(at: next, in: file, littleEndian: little)
            chain.append(directory)
            next = directory.next
        }
        guard let first = chain.first else { throw ImageMetadataStripper.Failure.malformed }

        var removed: Set<String> = []
        // Reduced-resolution pages after the first are thumbnails.
        let pages = [first] + chain.dropFirst().filter { directory in
            let isThumbnail = (try? value(of: 254, in: directory, file: file, littleEndian: little).first.map { $0 & 1 == 1 }) == true
            if isThumbnail { removed.insert("thumbnail") }
            return !isThumbnail
        }

        var kept: [Range<Int>] = [0..<8]
        var replaced: [(offset: Int, bytes: [UInt8])] = []
        for (index, page) in pages.enumerated() {
            let entries = page.entries.filter { keptTags.contains($0.tag) }
            for entry in page.entries where !keptTags.contains(entry.tag) { removed.insert(name(of: entry.tag)) }
            // The directory, rewritten with the kept entries and linked to the next kept page.
            var rewritten: [UInt8] = []
            append(entries.count, size: 2, to: &rewritten, littleEndian: little)
            for entry in entries { rewritten += entry.raw }
            append(index + 1 < pages.count ? pages[index + 1].offset : 0, size: 4, to: &rewritten, littleEndian: little)
            replaced.append((page.offset, rewritten))
            kept.append(page.offset..<(page.offset + rewritten.count))
            for entry in entries {
                if let range = try outOfLineRange(of: entry, littleEndian: little, fileSize: file.count) { kept.append(range) }
            }
            for (offsetsTag, countsTag) in [(273, 279), (324, 325), (513, 514)] {
                let offsets = try value(of: offsetsTag, in: page, file: file, littleEndian: little)
                let counts = try value(of: countsTag, in: page, file: file, littleEndian: little)
                guard offsets.count == counts.count || counts.isEmpty else { throw ImageMetadataStripper.Failure.malformed }
                for (offset, count) in zip(offsets, counts) {
                    guard offset + count <= file.count else { throw ImageMetadataStripper.Failure.malformed }
                    kept.append(offset..<(offset + count))
                }
            }
        }
        return try ImageEdits(zeroed: ImageEdits.complement(of: kept, in: file.count), replaced: replaced, removed: removed)
    }

    /// What the page calls a dropped tag.
    static func name(of tag: Int) -> String {
        switch tag {
        case 0x8825: "GPS"
        case 0x02BC: "XMP"
        case 0x83BB, 0x8649: "IPTC"
        case 0x014A: "thumbnail"
        default: "EXIF"
        }
    }

    static func readDirectory(at offset: Int, in file: some RandomAccessBytes, littleEndian: Bool) throws -> Directory {
        let count = try BinaryFields(try file.bytes(in: offset..<(offset + 2)), littleEndian: littleEndian).u16(0)
        guard count > 0, count <= maxEntries else { throw ImageMetadataStripper.Failure.malformed }
        let fields = BinaryFields(try file.bytes(in: offset..<(offset + 2 + count * 12 + 4)), littleEndian: littleEndian)
        var entries: [Entry] = []
        for index in 0..<count {
            let at = 2 + index * 12
            entries.append(Entry(tag: try fields.u16(at), type: try fields.u16(at + 2), count: try fields.u32(at + 4),
                                 raw: Array(fields.bytes[at..<(at + 12)])))
        }
        return Directory(offset: offset, entries: entries, next: try fields.u32(2 + count * 12))
    }

    /// Bytes per value of a TIFF field type; nil for a type TIFF 6.0 does not define.
    static func typeSize(_ type: Int) -> Int? {
        switch type {
        case 1, 2, 6, 7: 1
        case 3, 8: 2
        case 4, 9, 11, 13: 4
        case 5, 10, 12: 8
        default: nil
        }
    }

    /// Where an entry's value is, when it is too big for the entry's own 4 bytes.
    static func outOfLineRange(of entry: Entry, littleEndian: Bool, fileSize: Int) throws -> Range<Int>? {
        guard let size = typeSize(entry.type), entry.count <= fileSize else { throw ImageMetadataStripper.Failure.malformed }
        let length = size * entry.count
        guard length > 4 else { return nil }
        let offset = try BinaryFields(Array(entry.raw[8..<12]), littleEndian: littleEndian).u32(0)
        guard offset + length <= fileSize else { throw ImageMetadataStripper.Failure.malformed }
        return offset..<(offset + length)
    }

    /// An integer tag's values (SHORT or LONG); empty when the directory lacks it.
    static func value(of tag: Int, in directory: Directory, file: some RandomAccessBytes, littleEndian: Bool) throws -> [Int] {
        guard let entry = directory.entries.first(where: { $0.tag == tag }) else { return [] }
        guard entry.type == 3 || entry.type == 4, entry.count <= 1 << 20 else { throw ImageMetadataStripper.Failure.malformed }
        let size = entry.type == 3 ? 2 : 4
        let bytes = try outOfLineRange(of: entry, littleEndian: littleEndian, fileSize: file.count).map { try file.bytes(in: $0) }
            ?? Array(entry.raw[8..<12])
        let fields = BinaryFields(bytes, littleEndian: littleEndian)
        return try (0..<entry.count).map { try fields.uint(at: $0 * size, size: size) }
    }

    static func append(_ value: Int, size: Int, to bytes: inout [UInt8], littleEndian: Bool) {
        var field: [UInt8] = []
        field.appendBigEndian(value, size: size)
        bytes += littleEndian ? field.reversed() : field
    }
}
