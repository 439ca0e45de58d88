import Foundation
import Hummingbird

/// The query string as an HTML form with `method="get"` writes it (application/x-www-form-urlencoded).
///
/// Browsers send a space typed into a search box as "+", and a typed "+" as "%2B". Hummingbird's
/// `queryParameters` decodes only the percent escapes, so "blood pressure" would arrive as
/// "blood+pressure" and find nothing; by then a typed "+" can no longer be told apart, so the raw
/// query is read here instead.
struct FormQuery {
    private let pairs: [(name: String, value: String)]

    init(_ request: Request) { self.init(query: request.uri.query) }

    init(query: String?) {
        pairs = (query ?? "").split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (Self.decode(parts[0]), parts.count > 1 ? Self.decode(parts[1]) : "")
        }
    }

    /// The first value given for `name`, decoded; nil when the query does not have it.
    subscript(name: String) -> String? { pairs.first { $0.name == name }?.value }

    private static func decode(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }
}
