import CareVaultCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore

/// A minimal browser over the test client: keeps cookies, remembers the CSRF token of the last
/// page, and posts forms the way a browser would.
final class Browser {
    let client: any TestClientProtocol
    private(set) var cookies: [String: String] = [:]
    private(set) var csrf: String?
    var userAgent = "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0"

    init(_ client: any TestClientProtocol) { self.client = client }

    struct Page {
        let status: HTTPResponse.Status
        let headers: HTTPFields
        let body: String
        /// The body's exact bytes (for downloads).
        var bytes: [UInt8] = []
        var location: String? { headers[.location] }
    }

    @discardableResult
    func get(_ uri: String) async throws -> Page {
        try await send(uri, method: .get, body: nil)
    }

    /// Posts a form with the page's CSRF token (unless `csrf` is given explicitly, or nil to omit it).
    @discardableResult
    func post(_ uri: String, _ fields: [String: String], csrf override: String?? = .none) async throws -> Page {
        var fields = fields
        switch override {
        case .none: if let csrf { fields["_csrf"] = csrf }
        case .some(let value): if let value { fields["_csrf"] = value }
        }
        let body = fields.map { "\(Self.encode($0.key))=\(Self.encode($0.value))" }.joined(separator: "&")
        return try await send(uri, method: .post, body: body)
    }

    /// Posts a form whose fields may repeat (checkboxes), with the page's CSRF token.
    @discardableResult
    func post(_ uri: String, pairs: [(String, String)]) async throws -> Page {
        let fields = pairs + (csrf.map { [("_csrf", $0)] } ?? [])
        return try await send(uri, method: .post, body: fields.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&"))
    }

    /// A file for ``postMultipart(_:files:csrf:)``.
    struct UploadFile {
        var field = "files"
        let name: String
        var type = "application/octet-stream"
        let bytes: [UInt8]
    }

    /// Posts `multipart/form-data` as a browser does: the hidden `_csrf` field first (unless `csrf`
    /// says otherwise), then the files. `cut` drops that many bytes from the end (an interrupted upload).
    @discardableResult
    func postMultipart(_ uri: String, fields: [(String, String)] = [], files: [UploadFile], csrf override: String?? = .none,
                       cut: Int = 0) async throws -> Page {
        let boundary = "----CareVaultTest\(UInt64.random(in: 0...UInt64.max))"
        var body: [UInt8] = []
        func part(_ disposition: String, type: String?, _ content: [UInt8]) {
            body += Array("--\(boundary)\r\nContent-Disposition: form-data; \(disposition)\r\n".utf8)
            if let type { body += Array("Content-Type: \(type)\r\n".utf8) }
            body += Array("\r\n".utf8) + content + Array("\r\n".utf8)
        }
        let token: String? = switch override { case .none: csrf; case .some(let value): value }
        if let token { part(#"name="_csrf""#, type: nil, Array(token.utf8)) }
        for (name, value) in fields { part(#"name="\#(name)""#, type: nil, Array(value.utf8)) }
        for file in files { part(#"name="\#(file.field)"; filename="\#(file.name)""#, type: file.type, file.bytes) }
        body += Array("--\(boundary)--\r\n".utf8)
        body.removeLast(min(cut, body.count))
        var buffer = ByteBuffer()
        buffer.writeBytes(body)
        return try await send(uri, method: .post, body: buffer, contentType: "multipart/form-data; boundary=\(boundary)")
    }

    /// Follows redirects until a page (at most 5).
    @discardableResult
    func follow(_ page: Page) async throws -> Page {
        var current = page
        for _ in 0..<5 {
            guard (300..<400).contains(current.status.code), let location = current.location else { return current }
            current = try await get(location)
        }
        return current
    }

    func setCookie(_ name: String, _ value: String?) { cookies[name] = value }

    /// Sent as `Accept` on every request when set (an API client asks for JSON).
    var accept: String?

    /// Posts a JSON body, as an app does (no form, no CSRF token).
    @discardableResult
    func postJSON(_ uri: String, _ json: String) async throws -> Page {
        try await send(uri, method: .post, body: ByteBuffer(string: json), contentType: "application/json")
    }

    private func send(_ uri: String, method: HTTPRequest.Method, body: String?) async throws -> Page {
        try await send(uri, method: method, body: body.map { ByteBuffer(string: $0) }, contentType: body == nil ? nil : "application/x-www-form-urlencoded")
    }

    private func send(_ uri: String, method: HTTPRequest.Method, body: ByteBuffer?, contentType: String?) async throws -> Page {
        var headers: HTTPFields = [.userAgent: userAgent]
        if !cookies.isEmpty {
            headers[.cookie] = cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
        }
        if let contentType { headers[.contentType] = contentType }
        if let accept { headers[.accept] = accept }
        let response = try await client.execute(uri: uri, method: method, headers: headers, body: body)
        for setCookie in response.headers[values: .setCookie] {
            let pair = setCookie.split(separator: ";", maxSplits: 1)[0].split(separator: "=", maxSplits: 1)
            let name = String(pair[0]), value = pair.count > 1 ? String(pair[1]) : ""
            if value.isEmpty || setCookie.contains("Max-Age=0") { cookies[name] = nil } else { cookies[name] = value }
        }
        let text = String(buffer: response.body)
        if let token = Self.firstMatch(#"name="_csrf" value="([^"]+)""#, in: text) { csrf = token }
        return Page(status: response.status, headers: response.headers, body: text, bytes: Array(buffer: response.body))
    }

    static func firstMatch(_ pattern: String, in text: String) -> String? {
        guard let regex = try? NSRegularExpression(pattern: pattern),
              let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
              let range = Range(match.range(at: 1), in: text)
        else { return nil }
        return String(text[range])
    }

    static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
