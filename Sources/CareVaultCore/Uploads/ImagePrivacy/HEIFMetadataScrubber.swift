/// Finds what to blank in a HEIF/HEIC photo so that only the pictures are left. HEIF keeps EXIF and
/// XMP as items of the `meta` box whose bytes sit in `mdat`, located by offsets in `iloc`; the
/// embedded thumbnail is an image item linked by a `thmb` reference.
///
/// The `meta` box is rewritten at its own size: the metadata and thumbnail items leave `iinf`,
/// `iloc`, `iref` and `ipma`, properties other than those needed to draw the image (user
/// descriptions, say) become empty placeholders so indices still hold, and a `free` box takes up
/// the space saved. Every byte of `mdat` that no kept item uses is zeroed, and top-level boxes other
/// than `ftyp`, `meta` and `mdat` become `free` boxes full of zeros. Nothing moves, so every offset
/// stays valid. Orientation lives in the `irot`/`imir` properties, which are kept.
public enum HEIFMetadataScrubber {
    static let imageItemTypes: Set<String> = ["hvc1", "hvt1", "av01", "avc1", "vvc1", "jpeg", "j2k1", "unci", "grid", "iden", "iovl", "tmap", "mski"]
    static let keptProperties: Set<String> = [
        "hvcC", "av1C", "avcC", "vvcC", "jpgC", "j2kH", "uncC", "cmpd", "ispe", "pixi", "colr", "irot", "imir", "clap",
        "auxC", "pasp", "rloc", "lsel", "a1op", "a1lx", "clli", "mdcv", "cclv", "amve", "free", "skip",
    ]
    static let maxMetaSize = 16 << 20
    /// Top-level boxes a photo may have (a camera writes four or five); each is listed in memory, so a
    /// file of millions of empty boxes is refused rather than read.
    static let maxTopLevelBoxes = 1024
    /// Items and references a `meta` box may list (a 48-tile grid photo has about fifty of each).
    static let maxItems = 4096
    /// Extents all locations together may list (a tile is one extent, usually).
    static let maxExtents = 65_536

    struct Box: Hashable {
        let type: String
        let start: Int
        let headerSize: Int
        let end: Int
        var payload: Range<Int> { (start + headerSize)..<end }
    }

    struct Item {
        let id: Int
        let type: String
        let contentType: String
        let raw: [UInt8]
    }

    struct Location {
        let id: Int
        let constructionMethod: Int
        let dataReferenceIndex: Int
        let extents: [(offset: Int, length: Int)]
        let raw: [UInt8]
    }

    struct Reference {
        let type: String
        let from: Int
        let to: [Int]
    }

    /// The edits that clean `file`; throws `malformed` if it is not a HEIF still image that can be read safely.
    public static func edits(for file: some RandomAccessBytes) throws -> ImageEdits {
        var top: [Box] = []
        var offset = 0
        while offset < file.count {
            guard top.count < maxTopLevelBoxes else { throw ImageMetadataStripper.Failure.malformed }
            let box = try readBoxHeader(BinaryFields(try file.bytes(in: offset..<min(offset + 16, file.count))), base: offset, limit: file.count)
            top.append(box)
            offset = box.end
        }
        let metas = top.filter { $0.type == "meta" }
        guard top.first?.type == "ftyp", metas.count == 1, let meta = metas.first, meta.end - meta.start <= maxMetaSize else {
            throw ImageMetadataStripper.Failure.malformed
        }
        let metaBytes = try file.bytes(in: meta.start..<meta.end)
        let cleaned = try MetaRewrite(metaBytes, fileSize: file.count)

        var kept: [Range<Int>] = [meta.start..<meta.end]
        var replaced: [(offset: Int, bytes: [UInt8])] = [(meta.start, cleaned.bytes)]
        var removed = cleaned.removed
        for box in top where box.type != "meta" {
            switch box.type {
            case "ftyp": kept.append(box.start..<box.end)
            case "mdat", "free", "skip": kept.append(box.start..<(box.start + box.headerSize))
            default:
                kept.append(box.start..<(box.start + box.headerSize))
                replaced.append((box.start + 4, Array("free".utf8)))
                removed.insert("extra data")
            }
        }
        for range in cleaned.fileRanges {
            guard range.upperBound <= file.count, !range.overlaps(meta.start..<meta.end) else { throw ImageMetadataStripper.Failure.malformed }
            kept.append(range)
        }
        return try ImageEdits(zeroed: ImageEdits.complement(of: kept, in: file.count), replaced: replaced, removed: removed)
    }

    /// A box's header at `base` (`fields` holds the bytes from there on); its end must be within `limit`.
    static func readBoxHeader(_ fields: BinaryFields, at position: Int = 0, base: Int, limit: Int) throws -> Box {
        let size32 = try fields.u32(position)
        let type = try fields.fourCC(position + 4)
        var headerSize = 8
        let size: Int
        switch size32 {
        case 0: size = limit - base
        case 1: size = try fields.uint(at: position + 8, size: 8); headerSize = 16
        default: size = size32
        }
        guard size >= headerSize, base <= limit, size <= limit - base else { throw ImageMetadataStripper.Failure.malformed }
        return Box(type: type, start: base, headerSize: headerSize, end: base + size)
    }

    /// The boxes laid end to end from `start` to `end` of `bytes`; throws if `start` is past `end`
    /// (a box too small for the fields it must have).
    static func children(of bytes: [UInt8], from start: Int, to end: Int) throws -> [Box] {
        guard start <= end, end <= bytes.count else { throw ImageMetadataStripper.Failure.malformed }
        let fields = BinaryFields(bytes)
        var boxes: [Box] = []
        var position = start
        while position < end {
            let box = try readBoxHeader(fields, at: position, base: position, limit: end)
            boxes.append(box)
            position = box.end
        }
        return boxes
    }

    /// A box of `type` around `payload`, with a 32-bit size.
    static func box(_ type: String, _ payload: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.appendBigEndian(payload.count + 8, size: 4)
        return bytes + Array(type.utf8) + payload
    }
}
