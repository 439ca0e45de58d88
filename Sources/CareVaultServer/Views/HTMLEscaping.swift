import Mustache

/// HTML escaping for every `{{value}}` in our templates: the same five characters swift-mustache's
/// own HTML content type escapes (`< > & " '`), found by byte instead of by `Character`, and text
/// with none of them returned as it is. swift-mustache's escaper looked each Character up in a
/// dictionary: 6 % of the CPU of a results page. Working on UTF-8 bytes is exact here, as these
/// ASCII bytes never occur inside a multi-byte character (and a quote followed by a combining mark,
/// one Character that the dictionary lookup missed, is escaped too).
struct HTMLEscaping: MustacheContentType {
    /// The name the templates' `CONTENT_TYPE` pragma uses (``PageRenderer`` adds it to each template).
    static let name = "CareVaultHTML"

    func escapeText(_ text: String) -> String {
        guard text.utf8.contains(where: Self.needsEscape) else { return text }
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + 32)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "<"): out += "&lt;".utf8
            case UInt8(ascii: ">"): out += "&gt;".utf8
            case UInt8(ascii: "&"): out += "&amp;".utf8
            case UInt8(ascii: "\""): out += "&quot;".utf8
            case UInt8(ascii: "'"): out += "&#39;".utf8
            default: out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func needsEscape(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "<") || byte == UInt8(ascii: ">") || byte == UInt8(ascii: "&") || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'")
    }
}
