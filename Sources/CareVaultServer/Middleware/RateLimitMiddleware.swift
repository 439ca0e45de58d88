import Hummingbird

/// Limits how often one client address may post to sign-in, registration and reset forms.
/// Over the limit it answers 429 with `Retry-After`.
struct RateLimitMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    static let limitedPrefixes = [Paths.signIn, Paths.register, "/password/", Paths.setup]

    let limiter: RateLimiter

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if request.method == .post, let group = Self.limitedPrefixes.first(where: { request.uri.path.hasPrefix($0) }) {
            let key = "\(context.clientIP ?? "unknown")|\(group)"
            if let wait = limiter.check(key) {
                let seconds = max(1, Int(wait.components.seconds) + 1)
                throw HTTPError(.tooManyRequests, headers: [.retryAfter: String(seconds)],
                                message: "Too many attempts from your network. Wait \(seconds) seconds, then try again.")
            }
        }
        return try await next(request, context)
    }
}
