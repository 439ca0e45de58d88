import CareVaultCore
import CareVaultMultipart
import Foundation
import NIOCore

/// The parser's events (synchronous) turned into what the receiver hands on asynchronously: fields
/// collected, the CSRF token checked, files started, fed and ended.
final class MultipartReceiveState {
    enum Event {
        case field(name: String, value: String)
        case fileStart(field: String, fileName: String, type: String?)
        case fileBytes(ByteBuffer)
        case fileEnd
    }

    let receiver: MultipartFormReceiver
    var csrfToken: String?
    var failure: MultipartFormReceiver.Failure?
    var events: [Event] = []
    var headers: [(name: String, value: String)] = []
    var sawPart = false
    var field = ""
    var fileName: String?
    var fieldBytes: [UInt8] = []
    var fileSize = 0
    var files = 0
    var fields = 0

    init(receiver: MultipartFormReceiver, csrfToken: String?) {
        self.receiver = receiver
        self.csrfToken = csrfToken
    }

    func takeEvents() -> [Event] {
        defer { events = [] }
        return events
    }

    func handle(_ event: MultipartStreamParser.Event) throws {
        switch event {
        case .partBegin(let headers):
            self.headers = headers
            sawPart = true
            begin()
        case .body(var buffer): body(&buffer)
        case .partEnd: partComplete()
        case .end: break
        }
        if let failure { throw failure }
    }

    /// Decides what a part is from its headers.
    private func begin() {
        guard failure == nil else { return }
        let disposition = headers.first { $0.0.lowercased() == "content-disposition" }.map { MultipartFormReceiver.disposition($0.1) }
        field = disposition?.name ?? ""
        fileName = disposition?.fileName
        if csrfToken != nil, fileName != nil {
            failure = .missingCSRFToken  // a file before the token
            return
        }
        // A file input left empty (filename="") sends no file: nothing to keep.
        if let fileName, !fileName.isEmpty {
            guard files < receiver.maxFiles else { failure = .tooManyFiles(limit: receiver.maxFiles); return }
            files += 1
            fileSize = 0
            events.append(.fileStart(field: field, fileName: fileName, type: headers.first { $0.0.lowercased() == "content-type" }?.1))
        }
    }

    func body(_ buffer: inout ByteBuffer) {
        guard failure == nil else { return }
        if let fileName {
            guard !fileName.isEmpty else { return }
            fileSize += buffer.readableBytes
            guard fileSize <= receiver.maxFileSize else {
                failure = .fileTooLarge(fileName: fileName, limit: receiver.maxFileSize)
                return
            }
            events.append(.fileBytes(buffer))
        } else {
            guard fieldBytes.count + buffer.readableBytes <= receiver.maxFieldSize else { failure = .fieldTooLarge(name: field); return }
            fieldBytes += buffer.readableBytesView
        }
    }

    func partComplete() {
        defer { headers = []; field = ""; fileName = nil; fieldBytes = [] }
        guard failure == nil else { return }
        if let fileName {
            if !fileName.isEmpty { events.append(.fileEnd) }
            return
        }
        let value = String(decoding: fieldBytes, as: UTF8.self)
        if let expected = csrfToken {
            guard field == CSRFMiddleware.fieldName, constantTimeEquals(value, expected) else { failure = .missingCSRFToken; return }
            csrfToken = nil
            return
        }
        fields += 1
        guard fields <= receiver.maxFields else { failure = .tooManyFields; return }
        events.append(.field(name: field, value: value))
    }
}

