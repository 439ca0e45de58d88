/// Parses JSON text (RFC 8259) into a ``JSONValue`` without losing number text or key order.
public struct JSONParser {
    public struct SyntaxError: Error, Equatable, CustomStringConvertible {
        /// Byte offset where the problem was found.
        public let offset: Int
        public let reason: String
        public var description: String { "invalid JSON at byte \(offset): \(reason)" }
    }

    /// Deepest nesting accepted (a guard against stack exhaustion from hostile input).
    public static let maxDepth = 256

    /// Valid only while a static entry point runs: the parser never outlives the bytes it reads.
    private let bytes: UnsafeRawBufferPointer
    private var index = 0

    public static func parse(_ text: some Collection<UInt8>) throws(SyntaxError) -> JSONValue {
        let result = text.withContiguousStorageIfAvailable { buffer in
            Result { () throws(SyntaxError) in try parse(raw: UnsafeRawBufferPointer(buffer)) }
        } ?? Array(text).withUnsafeBytes { raw in Result { () throws(SyntaxError) in try parse(raw: raw) } }
        return try result.get()
    }

    public static func parse(_ text: String) throws(SyntaxError) -> JSONValue {
        try parse(Array(text.utf8))
    }

    /// Parses bytes in place (e.g. a memory-mapped file) without copying them.
    public static func parse(raw: UnsafeRawBufferPointer) throws(SyntaxError) -> JSONValue {
        var parser = JSONParser(bytes: raw)
        parser.skipWhitespace()
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        guard parser.index == parser.bytes.count else { throw parser.error("unexpected text after the value") }
        return value
    }

    /// Where a Bundle's parts lie in its text: the Bundle's own members (without `entry`), and the
    /// byte range of each element of `entry`, which can then be parsed one at a time.
    public struct BundleLayout: Sendable {
        public let header: JSONValue
        public let entryRanges: [Range<Int>]
    }

    /// Reads a Bundle's outline without building its entries: each entry's syntax is checked when it
    /// is parsed on its own, so a large bundle never needs a parse tree of the whole.
    public static func scanBundle(raw: UnsafeRawBufferPointer) throws(SyntaxError) -> BundleLayout {
        var parser = JSONParser(bytes: raw)
        parser.skipWhitespace()
        guard parser.index < raw.count, raw[parser.index] == UInt8(ascii: "{") else { throw parser.error("expected a JSON object") }
        parser.index += 1
        var header: [(key: String, value: JSONValue)] = []
        var ranges: [Range<Int>] = []
        parser.skipWhitespace()
        if parser.index < raw.count, raw[parser.index] == UInt8(ascii: "}") {
            parser.index += 1
        } else {
            while true {
                parser.skipWhitespace()
                guard parser.index < raw.count, raw[parser.index] == UInt8(ascii: "\"") else { throw parser.error("expected a member name") }
                let key = try parser.parseString()
                parser.skipWhitespace()
                guard parser.index < raw.count, raw[parser.index] == UInt8(ascii: ":") else { throw parser.error("expected ':'") }
                parser.index += 1
                parser.skipWhitespace()
                if key == "entry", parser.index < raw.count, raw[parser.index] == UInt8(ascii: "[") {
                    ranges = try parser.scanArrayElements()
                } else {
                    header.append((key, try parser.parseValue(depth: 1)))
                }
                parser.skipWhitespace()
                guard parser.index < raw.count else { throw parser.error("unexpected end of object") }
                if raw[parser.index] == UInt8(ascii: ",") { parser.index += 1; continue }
                if raw[parser.index] == UInt8(ascii: "}") { parser.index += 1; break }
                throw parser.error("expected ',' or '}'")
            }
        }
        parser.skipWhitespace()
        guard parser.index == raw.count else { throw parser.error("unexpected text after the value") }
        return BundleLayout(header: .object(header), entryRanges: ranges)
    }

    /// The byte range of each element of the array at `index`, found by bracket matching outside strings.
    private mutating func scanArrayElements() throws(SyntaxError) -> [Range<Int>] {
        index += 1
        var ranges: [Range<Int>] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return ranges }
        while true {
            skipWhitespace()
            let start = index
            try skipValue()
            ranges.append(start..<index)
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of array") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "]") { index += 1; return ranges }
            throw error("expected ',' or ']'")
        }
    }

    /// Moves past one value: a scalar, or a whole object/array by depth counting (strings skipped
    /// with their escapes). Its inner syntax is checked later, when the value is parsed.
    private mutating func skipValue() throws(SyntaxError) {
        guard index < bytes.count else { throw error("unexpected end of input") }
        guard bytes[index] == UInt8(ascii: "{") || bytes[index] == UInt8(ascii: "[") else {
            _ = try parseValue(depth: 1)
            return
        }
        var depth = 0
        repeat {
            guard index < bytes.count else { throw error("unexpected end of input") }
            switch bytes[index] {
            case UInt8(ascii: "\""):
                index += 1
                while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
                    index += bytes[index] == UInt8(ascii: "\\") ? 2 : 1
                }
                guard index < bytes.count else { throw error("unterminated string") }
                index += 1
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                guard depth < Self.maxDepth else { throw error("nested too deeply") }
                index += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                guard depth >= 0 else { throw error("unexpected '\(Character(Unicode.Scalar(bytes[index])))'") }
                index += 1
            default:
                index += 1
            }
        } while depth > 0
    }

    private init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    private func error(_ reason: String) -> SyntaxError { SyntaxError(offset: index, reason: reason) }

    private mutating func skipWhitespace() {
        while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
    }

    private mutating func parseValue(depth: Int) throws(SyntaxError) -> JSONValue {
        guard depth < Self.maxDepth else { throw error("nested too deeply") }
        guard index < bytes.count else { throw error("unexpected end of input") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth)
        case UInt8(ascii: "["): return try parseArray(depth: depth)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expect("true"); return .bool(true)
        case UInt8(ascii: "f"): try expect("false"); return .bool(false)
        case UInt8(ascii: "n"): try expect("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw error("unexpected character")
        }
    }

    private mutating func expect(_ word: String) throws(SyntaxError) {
        for byte in word.utf8 {
            guard index < bytes.count, bytes[index] == byte else { throw error("expected \(word)") }
            index += 1
        }
    }

    private mutating func parseObject(depth: Int) throws(SyntaxError) -> JSONValue {
        index += 1
        var members: [(key: String, value: JSONValue)] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw error("expected a member name") }
            let key = try parseString()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error("expected ':'") }
            index += 1
            skipWhitespace()
            members.append((key, try parseValue(depth: depth + 1)))
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of object") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
            throw error("expected ',' or '}'")
        }
    }

    private mutating func parseArray(depth: Int) throws(SyntaxError) -> JSONValue {
        index += 1
        var items: [JSONValue] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .array(items)
        }
        while true {
            skipWhitespace()
            items.append(try parseValue(depth: depth + 1))
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of array") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(items) }
            throw error("expected ',' or ']'")
        }
    }

    private mutating func parseNumber() throws(SyntaxError) -> String {
        let start = index
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        func digits() -> Int {
            let from = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            return index - from
        }
        let intStart = index
        let intDigits = digits()
        guard intDigits > 0 else { throw error("expected digits") }
        if intDigits > 1 && bytes[intStart] == UInt8(ascii: "0") { throw error("leading zero in a number") }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard digits() > 0 else { throw error("expected digits after '.'") }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard digits() > 0 else { throw error("expected exponent digits") }
        }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    private mutating func parseString() throws(SyntaxError) -> String {
        index += 1
        let start = index
        // Fast path: most strings have no escapes and are decoded straight from the input.
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                index += 1
                return text
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw error("control character in a string") }
            index += 1
        }
        var utf8 = Array(UnsafeRawBufferPointer(rebasing: bytes[start..<index]))
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return String(decoding: utf8, as: UTF8.self)
            }
            if byte < 0x20 { throw error("control character in a string") }
            if byte == UInt8(ascii: "\\") {
                index += 1
                guard index < bytes.count else { break }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""): utf8.append(UInt8(ascii: "\""))
                case UInt8(ascii: "\\"): utf8.append(UInt8(ascii: "\\"))
                case UInt8(ascii: "/"): utf8.append(UInt8(ascii: "/"))
                case UInt8(ascii: "b"): utf8.append(0x08)
                case UInt8(ascii: "f"): utf8.append(0x0C)
                case UInt8(ascii: "n"): utf8.append(0x0A)
                case UInt8(ascii: "r"): utf8.append(0x0D)
                case UInt8(ascii: "t"): utf8.append(0x09)
                case UInt8(ascii: "u"):
                    var code = try hex4()
                    if (0xD800...0xDBFF).contains(code) {
                        guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                            throw error("unpaired surrogate")
                        }
                        index += 2
                        let low = try hex4()
                        guard (0xDC00...0xDFFF).contains(low) else { throw error("unpaired surrogate") }
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let scalar = Unicode.Scalar(code) else { throw error("invalid \\u escape") }
                    utf8.append(contentsOf: UTF8.encode(scalar)!)
                default:
                    throw error("invalid escape")
                }
                continue
            }
            utf8.append(byte)
            index += 1
        }
        throw error("unterminated string")
    }

    private mutating func hex4() throws(SyntaxError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw error("short \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[index]
            let digit: UInt32
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(b - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(b - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(b - UInt8(ascii: "A") + 10)
            default: throw error("invalid hex digit")
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }
}
