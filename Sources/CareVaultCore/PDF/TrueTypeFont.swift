import Foundation

/// The parts of a TrueType font a PDF needs to embed it: glyph ids for characters (the `cmap`),
/// advance widths (`hmtx`) and the metrics of the font descriptor (`head`, `hhea`, `OS/2`).
/// Reads only; the font file is embedded whole.
public struct TrueTypeFont: Sendable {
    public enum ReadError: Error, CustomStringConvertible {
        case missingTable(String)
        case truncated
        case noUnicodeMap

        public var description: String {
            switch self {
            case .missingTable(let tag): "the font has no \(tag) table"
            case .truncated: "the font file is truncated"
            case .noUnicodeMap: "the font has no Unicode character map"
            }
        }
    }

    /// The font file's bytes, as embedded.
    public let data: Data
    public let postScriptName: String
    public let unitsPerEm: Int
    public let ascent: Int
    public let descent: Int
    public let capHeight: Int
    /// xMin, yMin, xMax, yMax in font units.
    public let boundingBox: [Int]
    private let advances: [UInt16]
    private let glyphs: [UInt32: UInt16]

    /// DejaVu Sans, bundled with CareVault (Latin, Greek, Cyrillic and many more scripts).
    public static let dejaVuSans: TrueTypeFont? = {
        guard let url = Bundle.module.url(forResource: "DejaVuSans", withExtension: "ttf", subdirectory: "Fonts"),
              let data = try? Data(contentsOf: url) else { return nil }
        return try? TrueTypeFont(data: data)
    }()

    public init(data: Data) throws {
        self.data = data
        let bytes = [UInt8](data)
        func u16(_ at: Int) throws -> Int {
            guard at + 2 <= bytes.count else { throw ReadError.truncated }
            return Int(bytes[at]) << 8 | Int(bytes[at + 1])
        }
        func i16(_ at: Int) throws -> Int { Int(Int16(bitPattern: UInt16(try u16(at)))) }
        func u32(_ at: Int) throws -> Int { try u16(at) << 16 | u16(at + 2) }

        var tables: [String: Int] = [:]
        for i in 0..<(try u16(4)) {
            let record = 12 + i * 16
            guard record + 16 <= bytes.count else { throw ReadError.truncated }
            let tag = String(decoding: bytes[record..<record + 4], as: UTF8.self)
            tables[tag] = try u32(record + 8)
        }
        func table(_ tag: String) throws -> Int {
            guard let offset = tables[tag] else { throw ReadError.missingTable(tag) }
            return offset
        }

        let head = try table("head"), hhea = try table("hhea"), hmtx = try table("hmtx"), maxp = try table("maxp")
        unitsPerEm = try u16(head + 18)
        boundingBox = [try i16(head + 36), try i16(head + 38), try i16(head + 40), try i16(head + 42)]
        ascent = try i16(hhea + 4)
        descent = try i16(hhea + 6)
        if let os2 = tables["OS/2"], try u16(os2) >= 2 { capHeight = try i16(os2 + 88) } else { capHeight = ascent }
        let glyphCount = try u16(maxp + 4)
        let metricCount = try u16(hhea + 34)
        var advances: [UInt16] = []
        advances.reserveCapacity(glyphCount)
        for g in 0..<glyphCount {
            advances.append(UInt16(try u16(hmtx + 4 * min(g, metricCount - 1))))
        }
        self.advances = advances

        // The best Unicode subtable: format 12 (full range) if present, else format 4 (BMP).
        let cmap = try table("cmap")
        var format4: Int?, format12: Int?
        for i in 0..<(try u16(cmap + 2)) {
            let record = cmap + 4 + i * 8
            let platform = try u16(record), encoding = try u16(record + 2)
            let subtable = cmap + (try u32(record + 4))
            guard platform == 0 || (platform == 3 && (encoding == 1 || encoding == 10)) else { continue }
            switch try u16(subtable) {
            case 4: format4 = format4 ?? subtable
            case 12: format12 = format12 ?? subtable
            default: break
            }
        }
        var glyphs: [UInt32: UInt16] = [:]
        if let sub = format12 {
            for i in 0..<(try u32(sub + 12)) {
                let group = sub + 16 + i * 12
                let start = try u32(group), end = try u32(group + 4), first = try u32(group + 8)
                guard end >= start, end - start < 0x11_0000 else { continue }
                for c in start...end { glyphs[UInt32(c)] = UInt16(truncatingIfNeeded: first + c - start) }
            }
        } else if let sub = format4 {
            let segments = try u16(sub + 6) / 2
            let ends = sub + 14, starts = ends + segments * 2 + 2, deltas = starts + segments * 2, offsets = deltas + segments * 2
            for s in 0..<segments {
                let end = try u16(ends + s * 2), start = try u16(starts + s * 2)
                let delta = try i16(deltas + s * 2), rangeOffset = try u16(offsets + s * 2)
                guard start <= end, end != 0xFFFF || start != 0xFFFF else { continue }
                for c in start...end {
                    var glyph: Int
                    if rangeOffset == 0 {
                        glyph = (c + delta) & 0xFFFF
                    } else {
                        glyph = try u16(offsets + s * 2 + rangeOffset + (c - start) * 2)
                        if glyph != 0 { glyph = (glyph + delta) & 0xFFFF }
                    }
                    if glyph != 0 { glyphs[UInt32(c)] = UInt16(glyph) }
                }
            }
        } else {
            throw ReadError.noUnicodeMap
        }
        self.glyphs = glyphs

        var name = "CareVaultFont"
        if let nameTable = tables["name"] {
            let count = try u16(nameTable + 2), strings = nameTable + (try u16(nameTable + 4))
            for i in 0..<count {
                let record = nameTable + 6 + i * 12
                guard try u16(record + 6) == 6 else { continue }  // name id 6: PostScript name
                let length = try u16(record + 8), offset = strings + (try u16(record + 10))
                guard offset + length <= bytes.count else { throw ReadError.truncated }
                let raw = Array(bytes[offset..<offset + length])
                let text = try u16(record) == 1 ? String(decoding: raw, as: UTF8.self)
                    : String(decoding: stride(from: 0, to: raw.count - 1, by: 2).map { UInt16(raw[$0]) << 8 | UInt16(raw[$0 + 1]) }, as: UTF16.self)
                if !text.isEmpty { name = text.filter { $0.isLetter || $0.isNumber || $0 == "-" }; break }
            }
        }
        postScriptName = name
    }

    /// The glyph for a character (0, the "missing" box, when the font has none).
    public func glyph(for scalar: Unicode.Scalar) -> UInt16 { glyphs[scalar.value] ?? 0 }

    /// A glyph's advance width in 1/1000 of the font size (PDF text space).
    public func width(of glyph: UInt16) -> Int {
        let advance = Int(advances[min(Int(glyph), advances.count - 1)])
        return advance * 1000 / unitsPerEm
    }

    /// The width of `text` set at `size` points.
    public func width(_ text: String, size: Double) -> Double {
        Double(text.unicodeScalars.reduce(0) { $0 + width(of: glyph(for: $1)) }) * size / 1000
    }
}
