import HTTPTypes
import CareVaultCore
import Crypto
import Foundation
import Hummingbird

/// Checks a token on every state-changing request. The token is an HMAC of the session id (or, before
/// sign-in, of a random pre-session cookie), so it is tied to the session and cannot be guessed.
/// Forms send it as `_csrf`; other clients as the `X-CSRF-Token` header.
struct CSRFMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    static let fieldName = "_csrf"
    static let headerName = HTTPField.Name("X-CSRF-Token")!

    let key: SymmetricKey
    let cookies: SessionCookie

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        var request = request
        var newPreSession: String?
        if let session = context.session {
            context.csrfToken = token(for: "s:" + session.idHash)
        } else if let pre = request.cookies[cookies.preSessionName]?.value, pre.count >= 32 {
            context.csrfToken = token(for: "p:" + pre)
        } else {
            let pre = SecretToken.generate().value
            newPreSession = pre
            context.csrfToken = token(for: "p:" + pre)
        }

        if ![.get, .head, .options].contains(request.method) {
            var provided = request.headers[Self.headerName]
            if provided == nil,
               request.headers[.contentType]?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true {
                let body = try await request.collectFormBody()
                provided = FormData(String(buffer: body))[Self.fieldName]
            }
            // Upload forms carry the token as their first multipart field; the route's
            // MultipartFormReceiver checks it before it writes a byte. Nowhere else may skip the check.
            let deferredToUpload = provided == nil && Paths.MultipartRoutes.matched.contains(context.endpointPath ?? "")
                && request.headers[.contentType]?.lowercased().hasPrefix("multipart/form-data") == true
            if deferredToUpload { return try await passOn(request, context: context, newPreSession: newPreSession, next: next) }
            // A SMART Health Link's manifest is asked for by apps with the passcode in the body; no
            // cookie authorizes anything there, so there is nothing to forge.
            if request.uri.path.hasPrefix(Paths.healthLinkPrefix) { return try await passOn(request, context: context, newPreSession: newPreSession, next: next) }
            guard let provided, constantTimeEquals(provided, context.csrfToken) else {
                throw HTTPError(.forbidden, message: "This form has expired. Go back, reload the page and try again.")
            }
        }

        return try await passOn(request, context: context, newPreSession: newPreSession, next: next)
    }

    private func passOn(_ request: Request, context: Context, newPreSession: String?,
                        next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        if let newPreSession, request.uri.path != Paths.health { response.setCookie(cookies.preSession(newPreSession)) }
        return response
    }

    private func token(for binding: String) -> String {
        Base64URL.encode(HMAC<SHA256>.authenticationCode(for: Data(binding.utf8), using: key))
    }
}
