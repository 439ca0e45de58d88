import CareVaultCore
import CareVaultStore
import Hummingbird
import Logging

/// Turns every error into a page a person can act on (or problem+json for API clients).
/// Never shows a stack trace, SQL or an internal message.
struct ErrorPageMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let renderer: PageRenderer

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError {
            if (300..<400).contains(error.status.code) {
                return Response(status: error.status, headers: error.headers)
            }
            return respond(status: error.status, message: error.body, headers: error.headers, request: request, context: context)
        } catch let error as ValidationFailure {
            return respond(status: .badRequest, message: error.errors.map(\.message).joined(separator: " "),
                           headers: [:], request: request, context: context, fieldErrors: error.errors)
        } catch where StorageFull.isCause(of: error) {
            // The operator must hear of this at once: until space is freed, every upload and most sign-ins fail.
            context.logger.critical("Out of storage space: free space on the data folder's disk or in the database",
                                    metadata: ["error": "\(String(reflecting: type(of: error)))", "path": "\(Self.loggable(request.uri.path))"])
            return respond(status: .insufficientStorage, message: nil, headers: [:], request: request, context: context)
        } catch {
            context.logger.error("Request failed", metadata: ["error": "\(String(reflecting: type(of: error)))", "path": "\(Self.loggable(request.uri.path))"])
            return respond(status: .internalServerError, message: nil, headers: [:], request: request, context: context)
        }
    }

    /// The path as logs may keep it: a live credential in the path — a proxy invitation's token, a share
    /// link's token, a SMART Health Link's manifest id or file ticket — is cut out.
    static func loggable(_ path: String) -> String {
        let path = path.firstIndex(of: "?").map { String(path[..<$0]) } ?? path
        for prefix in ["/proxy-invitations/", "/s/", "/shl/files/", "/shl/"] where path.hasPrefix(prefix) {
            let rest = path.dropFirst(prefix.count)
            return prefix + "…" + (rest.firstIndex(of: "/").map { String(rest[$0...]) } ?? "")
        }
        return path
    }

    private func respond(status: HTTPResponse.Status, message: String?, headers: HTTPFields, request: Request, context: Context,
                         fieldErrors: [FieldError] = []) -> Response {
        let text = message ?? Self.defaultMessage(status)
        var headers = headers
        if request.wantsJSON {
            headers[.contentType] = "application/problem+json"
            var members: [(String, JSONValue)] = [
                ("type", .string("about:blank")), ("title", .string(status.reasonPhrase)),
                ("status", .number(String(status.code))), ("detail", .string(text)),
            ]
            // RFC 9457 extension member: which field each problem is about.
            if !fieldErrors.isEmpty {
                members.append(("errors", .array(fieldErrors.map { .object([("field", .string($0.field)), ("detail", .string($0.message))]) })))
            }
            let body = JSONValue.object(members).jsonText
            return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
        }
        let page = MessagePage(
            layout: Layout(title: Self.title(status), csrfToken: context.csrfToken),
            heading: Self.title(status), paragraphs: [text], link: .init(href: Paths.home, text: "Go to the home page"))
        var response = renderer.response(page, status: status)
        for field in headers where field.name != .contentType { response.headers.append(field) }
        return response
    }

    static func title(_ status: HTTPResponse.Status) -> String {
        switch status.code {
        case 404: "Page not found"
        case 403: "Not allowed"
        case 429: "Too many attempts"
        case 400..<500: "Something is not right with the request"
        case 507: "The server is out of storage space"
        default: "Something went wrong on our side"
        }
    }

    static func defaultMessage(_ status: HTTPResponse.Status) -> String {
        switch status.code {
        case 404: "We could not find that page. Check the address, or go back to the home page."
        case 403: "You do not have access to this page."
        case 400..<500: "Please go back and try again."
        case 507: "The server has run out of room to store what you sent, so nothing was saved. Please try again later, and let the clinic know if this keeps happening."
        default: "Please try again in a few minutes. Nothing you entered was saved."
        }
    }
}

extension Request {
    /// API clients (JSON, FHIR) get problem+json instead of pages.
    var wantsJSON: Bool {
        let path = uri.path
        if path.hasPrefix("/api/") || path.hasPrefix("/fhir/") || path == Paths.health { return true }
        let accept = headers[.accept] ?? ""
        return accept.contains("json") && !accept.contains("text/html")
    }
}

extension HTTPResponse.Status {
    /// 507 (RFC 4918): the server cannot store what the request carries.
    static var insufficientStorage: Self { .init(code: 507, reasonPhrase: "Insufficient Storage") }
}
