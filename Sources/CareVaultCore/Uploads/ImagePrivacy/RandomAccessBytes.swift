/// A file that can be read at any offset: the spooled upload on the server, an array in tests.
/// The TIFF and HEIF scrubbers read only the small structures they need through it.
public protocol RandomAccessBytes {
    /// The file's size in bytes.
    var count: Int { get }
    /// The bytes in `range`; throws ``ImageMetadataStripper/Failure/malformed`` past the end.
    func bytes(in range: Range<Int>) throws -> [UInt8]
}

extension Array: RandomAccessBytes where Element == UInt8 {
    public func bytes(in range: Range<Int>) throws -> [UInt8] {
        guard range.lowerBound >= 0, range.upperBound <= count else { throw ImageMetadataStripper.Failure.malformed }
        return Array(self[range])
    }
}

/// Integers read from a byte buffer in one byte order; any read past the end throws `malformed`.
struct BinaryFields {
    let bytes: [UInt8]
    let littleEndian: Bool

    init(_ bytes: [UInt8], littleEndian: Bool = false) {
        self.bytes = bytes
        self.littleEndian = littleEndian
    }

    func uint(at offset: Int, size: Int) throws -> Int {
        guard offset >= 0, size >= 0, size <= 8, offset + size <= bytes.count else { throw ImageMetadataStripper.Failure.malformed }
        var value: UInt64 = 0
        for i in 0..<size {
            let byte = UInt64(bytes[littleEndian ? offset + size - 1 - i : offset + i])
            value = value << 8 | byte
        }
        guard value <= UInt64(Int.max) else { throw ImageMetadataStripper.Failure.malformed }
        return Int(value)
    }

    func u8(_ offset: Int) throws -> Int { try uint(at: offset, size: 1) }
    func u16(_ offset: Int) throws -> Int { try uint(at: offset, size: 2) }
    func u32(_ offset: Int) throws -> Int { try uint(at: offset, size: 4) }

    func fourCC(_ offset: Int) throws -> String {
        guard offset >= 0, offset + 4 <= bytes.count else { throw ImageMetadataStripper.Failure.malformed }
        return String(decoding: bytes[offset..<(offset + 4)], as: UTF8.self)
    }

    /// A NUL-terminated string starting at `offset`, and the offset after its NUL.
    func cString(_ offset: Int) throws -> (String, next: Int) {
        guard offset <= bytes.count, let end = bytes[offset...].firstIndex(of: 0) else { throw ImageMetadataStripper.Failure.malformed }
        return (String(decoding: bytes[offset..<end], as: UTF8.self), end + 1)
    }
}

extension Array where Element == UInt8 {
    /// Appends `value` big-endian in `size` bytes.
    mutating func appendBigEndian(_ value: Int, size: Int) {
        for i in stride(from: size - 1, through: 0, by: -1) { append(UInt8(truncatingIfNeeded: value >> (8 * i))) }
    }
}
