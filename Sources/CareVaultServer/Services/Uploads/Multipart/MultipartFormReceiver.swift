import CareVaultCore
import CareVaultMultipart
import Foundation
import Hummingbird
import NIOCore

/// Where one received file's bytes go, as they arrive: a temporary file (the import page) or the
/// patient's encrypted vault. Throwing ``UploadedFileRefused`` refuses that file alone.
protocol UploadedFileSink: AnyObject {
    associatedtype Stored: Sendable
    func begin(fileName: String, declaredType: String?) async throws
    /// The next bytes of the file: a slice of the received network chunk, not a copy.
    func write(_ bytes: ByteBuffer) async throws
    func finish() async throws -> Stored
    /// Undoes everything (the file was refused or the request failed).
    func abort() async
}

/// One file refused on its own merits (its kind, say); the rest of the form still counts.
struct UploadedFileRefused: Error {
    let reason: String
}

/// Reads a `multipart/form-data` body as it arrives: small fields into memory, each file's bytes on
/// to a sink chunk by chunk, so the body is never held in memory whole. A file is stopped as soon as
/// it passes the size limit. A browser form's CSRF token must be its first field (its hidden input
/// precedes the file inputs), and not one file byte reaches a sink before the token is checked.
struct MultipartFormReceiver {
    struct ReceivedFile<Stored: Sendable>: Sendable {
        let field: String
        /// The name the sender gave, without any folder part.
        let fileName: String
        let declaredType: String?
        let size: Int
        let stored: Stored
    }

    struct ReceivedForm<Stored: Sendable>: Sendable {
        var fields: [String: [String]] = [:]
        var files: [ReceivedFile<Stored>] = []
        /// Files refused one by one, with the reason.
        var refused: [(fileName: String, reason: String)] = []

        func value(_ name: String) -> String { fields[name]?.first ?? "" }
    }

    /// Why a whole body was refused; nothing it sent is kept.
    enum Failure: Error, Equatable {
        case notMultipart
        case missingCSRFToken
        case fileTooLarge(fileName: String, limit: Int)
        case tooManyFiles(limit: Int)
        case fieldTooLarge(name: String)
        /// More text fields than ``MultipartFormReceiver/maxFields`` (no form of ours has a tenth as many).
        case tooManyFields
        /// The body ended before its closing boundary (an interrupted upload) or is not well formed.
        case incomplete

        /// What the page says, and the status, for every failure but a missing token (a 403 of its own);
        /// `nothingKept` ends each message ("Nothing was stored.").
        func explanation(nothingKept: String) -> (message: String, status: HTTPResponse.Status) {
            switch self {
            case .fileTooLarge(let name, let limit):
                ("\(name) is larger than the \(MultipartFormReceiver.sizeLimit(limit)) limit. \(nothingKept)", .contentTooLarge)
            case .tooManyFiles(let limit):
                ("Choose at most \(limit) files at a time. \(nothingKept)", .badRequest)
            case .notMultipart, .incomplete, .fieldTooLarge, .tooManyFields, .missingCSRFToken:
                ("The upload did not arrive complete. \(nothingKept) Please try again.", .badRequest)
            }
        }
    }

    /// A size limit in words ("100 MB", "64 KB").
    static func sizeLimit(_ bytes: Int) -> String { bytes >= 1 << 20 ? "\(bytes >> 20) MB" : "\(bytes >> 10) KB" }

    let maxFileSize: Int
    var maxFiles = 20
    var maxFieldSize = 64 * 1024
    /// Text fields one body may carry: each is kept in memory, so their number is bounded as their size is.
    var maxFields = 200

    /// Receives a signed-in page's form: its first field must carry the session's CSRF token, unless the
    /// request's `X-CSRF-Token` header already passed ``CSRFMiddleware``. A missing or wrong token ends the
    /// request (403, nothing kept); any other failure is returned for the page to explain.
    func receivePageForm<Sink: UploadedFileSink>(_ request: Request, sessionCSRFToken: String, makeSink: () throws -> Sink)
        async throws -> Result<ReceivedForm<Sink.Stored>, Failure> {
        do {
            return .success(try await receive(request, csrfToken: request.headers[CSRFMiddleware.headerName] == nil ? sessionCSRFToken : nil,
                                              makeSink: makeSink))
        } catch let failure as Failure {
            if failure == .missingCSRFToken { throw HTTPError(.forbidden, message: "This form has expired. Go back, reload the page and try again.") }
            return .failure(failure)
        }
    }

    /// Reads the whole body. `csrfToken` is the token the first field must carry, or nil when the
    /// request was already checked (an `X-CSRF-Token` header). `makeSink` gives each file its sink.
    func receive<Sink: UploadedFileSink>(_ request: Request, csrfToken: String?, makeSink: () throws -> Sink)
        async throws -> ReceivedForm<Sink.Stored> {
        guard let contentType = request.headers[.contentType], let boundary = Self.boundary(of: contentType) else { throw Failure.notMultipart }
        let state = MultipartReceiveState(receiver: self, csrfToken: csrfToken)
        var parser = MultipartStreamParser(boundary: boundary)
        var form = ReceivedForm<Sink.Stored>()
        var current: (sink: Sink, field: String, fileName: String, type: String?, size: Int, refused: Bool)?
        var finished: [Sink] = []
        do {
            for try await chunk in request.body {
                do { try parser.feed(chunk, state.handle) } catch let failure as Failure { throw failure } catch { throw Failure.incomplete }
                if let failure = state.failure { throw failure }
                // What the parser saw in this network chunk, handed on in order (bounded by the chunk's size).
                for event in state.takeEvents() {
                    switch event {
                    case .field(let name, let value):
                        form.fields[name, default: []].append(value)
                    case .fileStart(let field, let fileName, let type):
                        let sink = try makeSink()
                        current = (sink, field, fileName, type, 0, false)
                        do { try await sink.begin(fileName: fileName, declaredType: type) } catch let refusal as UploadedFileRefused {
                            await refuse(&current, &form, refusal)
                        }
                    case .fileBytes(let bytes):
                        guard var file = current, !file.refused else { continue }
                        file.size += bytes.readableBytes
                        current = file
                        do { try await file.sink.write(bytes) } catch let refusal as UploadedFileRefused {
                            await refuse(&current, &form, refusal)
                        }
                    case .fileEnd:
                        guard let file = current else { continue }
                        current = nil
                        if file.refused { continue }
                        do {
                            let stored = try await file.sink.finish()
                            finished.append(file.sink)
                            form.files.append(.init(field: file.field, fileName: file.fileName, declaredType: file.type, size: file.size, stored: stored))
                        } catch let refusal as UploadedFileRefused {
                            await file.sink.abort()
                            form.refused.append((file.fileName, refusal.reason))
                        }
                    }
                }
            }
            guard parser.isComplete, state.sawPart else { throw Failure.incomplete }
            return form
        } catch {
            if let file = current, !file.refused { await file.sink.abort() }
            for sink in finished { await sink.abort() }
            throw error
        }
    }

    private func refuse<Sink: UploadedFileSink>(_ current: inout (sink: Sink, field: String, fileName: String, type: String?, size: Int, refused: Bool)?,
                                                _ form: inout ReceivedForm<Sink.Stored>, _ refusal: UploadedFileRefused) async {
        guard var file = current else { return }
        await file.sink.abort()
        file.refused = true
        current = file
        form.refused.append((file.fileName, refusal.reason))
    }

    /// The `boundary` parameter of a `multipart/form-data` content type.
    static func boundary(of contentType: String) -> String? {
        let parts = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.first?.lowercased() == "multipart/form-data" else { return nil }
        for part in parts.dropFirst() where part.lowercased().hasPrefix("boundary=") {
            let value = part.dropFirst("boundary=".count).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            return (1...70).contains(value.count) ? value : nil
        }
        return nil
    }

    /// `name` and `filename` from a `Content-Disposition: form-data; …` header.
    static func disposition(_ value: String) -> (name: String?, fileName: String?) {
        var name: String?, fileName: String?
        for part in value.split(separator: ";").dropFirst() {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2 else { continue }
            let text = pair[1].hasPrefix("\"") && pair[1].hasSuffix("\"") && pair[1].count >= 2 ? String(pair[1].dropFirst().dropLast()) : pair[1]
            switch pair[0].lowercased() {
            case "name": name = text
            case "filename": fileName = text.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
            default: break
            }
        }
        return (name, fileName)
    }
}

