import Foundation

/// Files built to exhaust a parser: nesting, chains and counts far beyond anything a real device
/// writes. Each is about a megabyte, the size the security review used.
enum HostileFiles {
    /// A DICOM Part 10 file whose dataset is `depth` sequences of undefined length, each holding one
    /// item that holds the next (explicit VR little endian, as scanners write).
    static func nestedDICOM(depth: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: 128) + Array("DICM".utf8)
        let syntax = Array("1.2.840.10008.1.2.1".utf8) + [0]
        bytes += [0x02, 0x00, 0x10, 0x00] + Array("UI".utf8) + le16(syntax.count) + syntax
        let sequence: [UInt8] = [0x08, 0x00, 0x15, 0x11] + Array("SQ".utf8) + [0, 0, 0xFF, 0xFF, 0xFF, 0xFF]
        let item: [UInt8] = [0xFE, 0xFF, 0x00, 0xE0, 0xFF, 0xFF, 0xFF, 0xFF]
        bytes.reserveCapacity(bytes.count + depth * 36)
        for _ in 0..<depth { bytes += sequence + item }
        let itemEnd: [UInt8] = [0xFE, 0xFF, 0x0D, 0xE0, 0, 0, 0, 0]
        let sequenceEnd: [UInt8] = [0xFE, 0xFF, 0xDD, 0xE0, 0, 0, 0, 0]
        for _ in 0..<depth { bytes += itemEnd + sequenceEnd }
        return bytes
    }

    /// A little-endian TIFF whose first directory links to another, `length` times (each a valid
    /// one-entry directory), ending with a link to nothing.
    static func chainedTIFF(length: Int) -> [UInt8] {
        var bytes: [UInt8] = Array("II".utf8) + [42, 0] + le32(8)
        for index in 0..<length {
            let next = index + 1 < length ? bytes.count + 18 : 0
            bytes += le16(1) + le16(256) + le16(3) + le32(1) + le32(1) + le32(next)  // ImageWidth = 1
        }
        return bytes
    }

    /// A HEIF file with an `ftyp` box followed by `count` empty `free` boxes.
    static func manyBoxesHEIF(count: Int) -> [UInt8] {
        var bytes = be32(24) + Array("ftypheic".utf8) + be32(0) + Array("mif1heic".utf8)
        bytes.reserveCapacity(bytes.count + count * 8)
        for _ in 0..<count { bytes += be32(8) + Array("free".utf8) }
        return bytes
    }

    /// A JSON object whose one member holds arrays nested `depth` deep.
    static func nestedJSON(depth: Int) -> [UInt8] {
        Array(#"{"resourceType":"Bundle","type":"collection","entry":"#.utf8) + [UInt8](repeating: UInt8(ascii: "["), count: depth)
            + [UInt8](repeating: UInt8(ascii: "]"), count: depth) + [UInt8(ascii: "}")]
    }

    /// A JPEG whose header is `fill` fill bytes (0xFF, allowed before any marker) and then a minimal
    /// scan: the stripper must step over them without re-copying what is left each time.
    static func fillByteJPEG(fill: Int) -> [UInt8] {
        [0xFF, 0xD8] + [UInt8](repeating: 0xFF, count: fill) + [0xFF, 0xDA, 0x00, 0x02, 0x01, 0x02, 0x03, 0xFF, 0xD9]
    }

    static func le16(_ value: Int) -> [UInt8] { [UInt8(value & 0xFF), UInt8(value >> 8 & 0xFF)] }
    static func le32(_ value: Int) -> [UInt8] { le16(value & 0xFFFF) + le16(value >> 16 & 0xFFFF) }
    static func be32(_ value: Int) -> [UInt8] { [UInt8(value >> 24 & 0xFF), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)] }
}
