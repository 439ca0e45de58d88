import Foundation
import Hummingbird
import NIOCore

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
    /// The largest form body read (no form of ours comes near it; files go as multipart, streamed).
    static let maxFormBytes = 1 << 20

    /// Reads a form body (up to 1 MiB).
    mutating func form() async throws -> FormData {
        FormData(String(buffer: try await collectFormBody()))
    }

    /// The whole form body; a larger one is answered 413 with a page that says so, not a server error.
    mutating func collectFormBody() async throws -> ByteBuffer {
        do {
            return try await collectBody(upTo: Self.maxFormBytes)
        } catch is NIOTooManyBytesError {
            throw HTTPError(.contentTooLarge, message: "This form is larger than 1 MB, more than any CareVault form needs. Nothing was saved. Go back and shorten what you typed.")
        }
    }
}
