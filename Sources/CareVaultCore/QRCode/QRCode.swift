/// A QR Code (ISO/IEC 18004 Model 2) in byte mode at error-correction level M, version 1–40.
///
/// Small on purpose: it exists to show the `otpauth://` URI on the two-step sign-in page.
/// Tests decode its output with a real reader (zbarimg).
public struct QRCode: Sendable, Equatable {
    /// Modules per side.
    public let size: Int
    /// `modules[y][x]` is true for a dark module.
    public let modules: [[Bool]]
    public let version: Int

    public enum EncodingError: Error, Equatable {
        case tooLong(Int)
    }

    /// Encodes `text` as UTF-8 bytes in the smallest version that holds it.
    public static func encode(_ text: String) throws(EncodingError) -> QRCode {
        let bytes = Array(text.utf8)
        let eci = needsECI(bytes)
        guard let version = (1...40).first(where: { dataBits(bytes.count, version: $0, eci: eci) <= dataCodewords(version: $0) * 8 }) else {
            throw .tooLong(bytes.count)
        }
        var builder = QRMatrixBuilder(version: version)
        builder.drawFunctionPatterns()
        builder.drawCodewords(interleavedCodewords(for: bytes, version: version))
        builder.applyBestMask()
        return QRCode(size: builder.size, modules: builder.modules, version: version)
    }

    // MARK: Data

    private static func characterCountBits(version: Int) -> Int { version <= 9 ? 8 : 16 }

    private static func dataBits(_ count: Int, version: Int, eci: Bool) -> Int {
        guard count < (1 << characterCountBits(version: version)) else { return Int.max }
        return (eci ? 12 : 0) + 4 + characterCountBits(version: version) + count * 8
    }

    /// Non-ASCII text is marked UTF-8 with an ECI designator (26), so readers do not guess a legacy charset.
    private static func needsECI(_ bytes: [UInt8]) -> Bool { bytes.contains { $0 >= 0x80 } }

    /// ECC codewords per block and number of blocks at level M (index = version).
    static let eccPerBlock = [-1, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26, 26, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28]
    static let blockCount = [-1, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16, 17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49]

    static func rawDataModules(version v: Int) -> Int {
        var result = (16 * v + 128) * v + 64
        if v >= 2 {
            let align = v / 7 + 2
            result -= (25 * align - 10) * align - 55
            if v >= 7 { result -= 36 }
        }
        return result
    }

    static func dataCodewords(version v: Int) -> Int {
        rawDataModules(version: v) / 8 - eccPerBlock[v] * blockCount[v]
    }

    private static func interleavedCodewords(for bytes: [UInt8], version: Int) -> [UInt8] {
        var bits = QRBitBuffer()
        if needsECI(bytes) {
            bits.append(0b0111, count: 4)
            bits.append(26, count: 8)
        }
        bits.append(0b0100, count: 4)
        bits.append(bytes.count, count: characterCountBits(version: version))
        for byte in bytes { bits.append(Int(byte), count: 8) }
        let capacity = dataCodewords(version: version) * 8
        bits.append(0, count: min(4, capacity - bits.count))
        bits.append(0, count: (8 - bits.count % 8) % 8)
        var pad = 0xEC
        while bits.count < capacity {
            bits.append(pad, count: 8)
            pad ^= 0xEC ^ 0x11
        }
        return addErrorCorrection(bits.bytes, version: version)
    }

    private static func addErrorCorrection(_ data: [UInt8], version: Int) -> [UInt8] {
        let blocks = blockCount[version], eccLength = eccPerBlock[version]
        let raw = rawDataModules(version: version) / 8
        let shortBlocks = blocks - raw % blocks
        let shortLength = raw / blocks
        let divisor = ReedSolomon.divisor(degree: eccLength)
        var all: [[UInt8]] = []
        var k = 0
        for i in 0..<blocks {
            let length = shortLength - eccLength + (i < shortBlocks ? 0 : 1)
            var block = Array(data[k..<k + length])
            k += length
            let ecc = ReedSolomon.remainder(block, divisor: divisor)
            if i < shortBlocks { block.append(0) }
            all.append(block + ecc)
        }
        var result: [UInt8] = []
        for i in 0..<all[0].count {
            for (j, block) in all.enumerated() where i != shortLength - eccLength || j >= shortBlocks {
                result.append(block[i])
            }
        }
        return result
    }
}

/// Bits appended most significant first.
struct QRBitBuffer {
    private(set) var bits: [Bool] = []
    var count: Int { bits.count }

    mutating func append(_ value: Int, count: Int) {
        guard count > 0 else { return }
        for i in stride(from: count - 1, through: 0, by: -1) { bits.append((value >> i) & 1 == 1) }
    }

    var bytes: [UInt8] {
        stride(from: 0, to: bits.count, by: 8).map { start in
            (0..<8).reduce(UInt8(0)) { acc, i in acc << 1 | (bits[start + i] ? 1 : 0) }
        }
    }
}

/// Reed–Solomon error correction over GF(2⁸) with the QR polynomial 0x11D.
enum ReedSolomon {
    static func divisor(degree: Int) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: degree - 1) + [1]
        var root: UInt8 = 1
        for _ in 0..<degree {
            for j in 0..<result.count {
                result[j] = multiply(result[j], root)
                if j + 1 < result.count { result[j] ^= result[j + 1] }
            }
            root = multiply(root, 0x02)
        }
        return result
    }

    static func remainder(_ data: [UInt8], divisor: [UInt8]) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: divisor.count)
        for byte in data {
            let factor = byte ^ result.removeFirst()
            result.append(0)
            for i in result.indices { result[i] ^= multiply(divisor[i], factor) }
        }
        return result
    }

    static func multiply(_ x: UInt8, _ y: UInt8) -> UInt8 {
        var z = 0
        for i in stride(from: 7, through: 0, by: -1) {
            z = (z << 1) ^ ((z >> 7) * 0x11D)
            z ^= Int((y >> UInt8(i)) & 1) * Int(x)
        }
        return UInt8(z)
    }
}
