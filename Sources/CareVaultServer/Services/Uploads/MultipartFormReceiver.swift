import CareVaultCore
import Foundation
import Hummingbird
import MultipartKit
import NIOCore

/// Reads a `multipart/form-data` body as it arrives: small fields into memory, each file straight
/// into a private temporary file, so the body is never held in memory whole. A file is stopped as
/// soon as it passes the size limit. A browser form's CSRF token must be its first field (its hidden
/// input precedes the file inputs), and not one file byte is written before the token is checked.
struct MultipartFormReceiver {
    /// One uploaded file, in a temporary file the caller must remove (``ReceivedForm/removeFiles()``).
    struct ReceivedFile: Sendable {
        let field: String
        /// The name the sender gave, without any folder part.
        let fileName: String
        let declaredType: String?
        let url: URL
        let size: Int
    }

    struct ReceivedForm: Sendable {
        var fields: [String: [String]] = [:]
        var files: [ReceivedFile] = []

        func value(_ name: String) -> String { fields[name]?.first ?? "" }
        func removeFiles() { for file in files { try? FileManager.default.removeItem(at: file.url) } }
    }

    /// Why a body was refused; nothing it sent is kept.
    enum Failure: Error, Equatable {
        case notMultipart
        case missingCSRFToken
        case fileTooLarge(fileName: String, limit: Int)
        case tooManyFiles(limit: Int)
        case fieldTooLarge(name: String)
        /// The body ended before its closing boundary (an interrupted upload) or is not well formed.
        case incomplete
    }

    let folder: URL
    let maxFileSize: Int
    var maxFiles = 20
    var maxFieldSize = 64 * 1024

    /// Reads the whole body. `csrfToken` is the token the first field must carry, or nil when the
    /// request was already checked (an `X-CSRF-Token` header).
    func receive(_ request: Request, csrfToken: String?) async throws -> ReceivedForm {
        guard let contentType = request.headers[.contentType], let boundary = Self.boundary(of: contentType) else { throw Failure.notMultipart }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let state = ReceiveState(receiver: self, csrfToken: csrfToken)
        let parser = MultipartParser(boundary: boundary)
        parser.onHeader = { name, value in state.header(name, value) }
        parser.onBody = { buffer in state.body(&buffer) }
        parser.onPartComplete = { state.partComplete() }
        do {
            for try await chunk in request.body {
                do { try parser.execute(chunk) } catch { throw Failure.incomplete }
                if let failure = state.failure { throw failure }
            }
            guard state.sawPart, !state.inPart else { throw Failure.incomplete }
            if let failure = state.failure { throw failure }
            return state.form
        } catch {
            state.abandon()
            throw error
        }
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

/// The receiver's state between parser callbacks (one request, one task).
private final class ReceiveState {
    let receiver: MultipartFormReceiver
    var csrfToken: String?
    var form = MultipartFormReceiver.ReceivedForm()
    var failure: MultipartFormReceiver.Failure?
    var headers: [(String, String)] = []
    var inPart = false
    var sawPart = false
    var field: String?
    var fileName: String?
    var fieldBytes: [UInt8] = []
    var file: (handle: FileHandle, url: URL, size: Int)?

    init(receiver: MultipartFormReceiver, csrfToken: String?) {
        self.receiver = receiver
        self.csrfToken = csrfToken
    }

    func header(_ name: String, _ value: String) {
        if !inPart { headers = []; inPart = true; sawPart = true }
        headers.append((name, value))
    }

    /// Called at the first body bytes (or the end) of a part: decides what the part is.
    private func beginIfNeeded() {
        guard field == nil, failure == nil else { return }
        let disposition = headers.first { $0.0.lowercased() == "content-disposition" }.map { MultipartFormReceiver.disposition($0.1) }
        field = disposition?.name ?? ""
        fileName = disposition?.fileName
        if csrfToken != nil, fileName != nil {
            failure = .missingCSRFToken  // a file before the token
            return
        }
        if let fileName, !fileName.isEmpty {
            guard form.files.count < receiver.maxFiles else { failure = .tooManyFiles(limit: receiver.maxFiles); return }
            let url = receiver.folder.appendingPathComponent("upload-\(UUID().uuidString)")
            guard FileManager.default.createFile(atPath: url.path, contents: nil, attributes: [.posixPermissions: 0o600]),
                  let handle = try? FileHandle(forWritingTo: url) else { failure = .incomplete; return }
            file = (handle, url, 0)
        }
    }

    func body(_ buffer: inout ByteBuffer) {
        if !inPart { inPart = true; sawPart = true }
        beginIfNeeded()
        guard failure == nil else { return }
        if var current = file {
            current.size += buffer.readableBytes
            guard current.size <= receiver.maxFileSize else {
                failure = .fileTooLarge(fileName: fileName ?? "", limit: receiver.maxFileSize)
                return
            }
            do { try current.handle.write(contentsOf: buffer.readableBytesView) } catch { failure = .incomplete; return }
            file = current
        } else if fileName == nil {
            guard fieldBytes.count + buffer.readableBytes <= receiver.maxFieldSize else { failure = .fieldTooLarge(name: field ?? ""); return }
            fieldBytes += buffer.readableBytesView
        }
        // A file input left empty (filename="") sends no file: nothing to keep.
    }

    func partComplete() {
        beginIfNeeded()
        defer { headers = []; inPart = false; field = nil; fileName = nil; fieldBytes = []; file = nil }
        guard failure == nil else { return }
        let name = field ?? ""
        if let current = file {
            try? current.handle.close()
            form.files.append(.init(field: name, fileName: fileName ?? "", declaredType: headers.first { $0.0.lowercased() == "content-type" }?.1,
                                    url: current.url, size: current.size))
        } else if fileName == nil {
            let value = String(decoding: fieldBytes, as: UTF8.self)
            if let expected = csrfToken {
                guard name == CSRFMiddleware.fieldName, constantTimeEquals(value, expected) else { failure = .missingCSRFToken; return }
                csrfToken = nil
                return
            }
            form.fields[name, default: []].append(value)
        }
    }

    /// Removes every file written so far (the request failed).
    func abandon() {
        if let current = file {
            try? current.handle.close()
            try? FileManager.default.removeItem(at: current.url)
            file = nil
        }
        form.removeFiles()
        form.files = []
    }
}
