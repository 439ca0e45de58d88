import CareVaultCore
import Hummingbird

/// Loads the session the cookie names into the context; clears a cookie whose session has ended.
struct SessionMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let sessions: SessionService
    let cookies: SessionCookie

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let value = request.cookies[cookies.sessionName]?.value, !value.isEmpty else {
            return try await next(request, context)
        }
        var context = context
        context.session = try await sessions.validate(cookieValue: value)
        if context.session?.proxyGrants.isEmpty == false { context.recordInPath = Self.record(in: request.uri.path) }
        var response = try await next(request, context)
        if context.session == nil, response.headers[.setCookie] == nil {
            response.setCookie(cookies.clearedSession())
        }
        return response
    }

    /// The record id in a `/patients/{id}/…` path.
    static func record(in path: String) -> String? {
        let parts = path.split(separator: "/", maxSplits: 2, omittingEmptySubsequences: true)
        guard parts.count >= 2, parts[0] == "patients" else { return nil }
        return String(parts[1])
    }
}
