import Foundation
import Hummingbird

/// The fields of an `application/x-www-form-urlencoded` body. Missing fields read as "".
struct FormData: Sendable {
    private var fields: [String: String] = [:]
    private var repeated: [String: [String]] = [:]

    init(_ body: String) {
        for pair in body.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.decode(parts[0])
            let value = parts.count > 1 ? Self.decode(parts[1]) : ""
            if fields[name] == nil { fields[name] = value }
            repeated[name, default: []].append(value)
        }
    }

    subscript(_ name: String) -> String? { fields[name] }

    /// Every value sent for a field (checkboxes), in order.
    func values(_ name: String) -> [String] { repeated[name] ?? [] }

    /// The value of a field, or "" when absent.
    func value(_ name: String) -> String { fields[name] ?? "" }

    private static func decode(_ text: Substring) -> String {
        String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
    }
}

extension Request {
    /// Reads a form body (up to 1 MiB).
    mutating func form() async throws -> FormData {
        let buffer = try await collectBody(upTo: 1 << 20)
        return FormData(String(buffer: buffer))
    }
}
