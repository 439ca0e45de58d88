import HTTPTypes
import Foundation
import Hummingbird

/// Works out the client's address. `X-Forwarded-For` is believed only when the TCP peer is a
/// configured trusted proxy; then the right-most address that is not a trusted proxy is the client.
struct ClientAddressMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let trustedProxies: Set<String>

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.userAgent = request.headers[.userAgent]
        context.isAPIRequest = request.uri.path.hasPrefix("/fhir/") || request.uri.path.hasPrefix("/api/") || request.uri.path.hasPrefix(Paths.healthLinkPrefix)
        if let peer = context.peerIP, trustedProxies.contains(peer),
           let forwarded = request.headers[HTTPField.Name("X-Forwarded-For")!] {
            let hops = forwarded.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            context.clientIP = hops.last { !trustedProxies.contains($0) } ?? peer
        }
        return try await next(request, context)
    }
}
