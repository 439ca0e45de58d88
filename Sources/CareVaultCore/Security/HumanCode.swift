import Foundation

/// Codes people read aloud or type from paper: activation codes and recovery codes.
///
/// Crockford base32 (no I, L, O, U), grouped with dashes. Input is forgiving: case, spaces and
/// dashes are ignored, and O/I/L are read as 0/1/1. Only a keyed hash of the normalized code is stored
/// (``CodeHasher``).
public struct HumanCode: Sendable, Equatable {
    private static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")

    /// The code as shown, e.g. `7K2M-9QXD-4HTR`.
    public let display: String

    /// A new random code of `groups` groups of `groupLength` characters (5 bits each).
    public static func generate(groups: Int, groupLength: Int) -> HumanCode {
        let bytes = SecureRandom.bytes(groups * groupLength)
        let chars = bytes.map { alphabet[Int($0) & 31] }
        let grouped = stride(from: 0, to: chars.count, by: groupLength).map { String(chars[$0..<$0 + groupLength]) }
        return HumanCode(display: grouped.joined(separator: "-"))
    }

    /// A fresh patient activation code: 12 characters, 60 bits.
    public static func activationCode() -> HumanCode { generate(groups: 3, groupLength: 4) }

    /// A fresh recovery code: 10 characters, 50 bits.
    public static func recoveryCode() -> HumanCode { generate(groups: 2, groupLength: 5) }

    public init(display: String) { self.display = display }

    /// The canonical form of typed input.
    public static func normalize(_ input: String) -> String {
        String(input.uppercased().compactMap { c -> Character? in
            switch c {
            case " ", "-", "\t": return nil
            case "O": return "0"
            case "I", "L": return "1"
            default: return c
            }
        })
    }

}
