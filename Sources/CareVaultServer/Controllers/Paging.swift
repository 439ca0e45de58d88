import Hummingbird

/// The `page` query parameter of a paged list, clamped so that `page * pageSize` cannot overflow:
/// a request for page 9223372036854775807 is an empty page, not a crashed server.
enum Paging {
    static let maxPage = 100_000

    static func page(of request: Request) -> Int {
        min(max(0, request.uri.queryParameters["page"].flatMap { Int($0) } ?? 0), maxPage)
    }
}
