import Foundation
import NIOCore

/// Reads a `multipart/form-data` body (RFC 7578 over RFC 2046) chunk by chunk as it arrives.
///
/// MultipartKit 4's parser steps through every byte of a file in Swift and was the largest cost of
/// an upload; this one finds each delimiter with `memchr` over the whole network chunk and hands
/// the bytes in between on as slices of that chunk, without copying them. It keeps back only what
/// could be the start of a delimiter split across two chunks. Tested against bodies written by
/// MultipartKit's serializer and by curl.
public struct MultipartStreamParser {
    /// What the body holds, in order.
    public enum Event {
        case partBegin(headers: [(name: String, value: String)])
        /// The next bytes of the current part's body (a slice of the received chunk).
        case body(ByteBuffer)
        case partEnd
        /// The closing delimiter: the body is complete.
        case end
    }

    public enum Failure: Error, Equatable {
        case malformed
        case headersTooLarge
    }

    private enum State { case preamble, afterDelimiter, headers, body, epilogue }

    static let maxHeaderBytes = 16 * 1024
    private let delimiter: [UInt8]
    private var state = State.preamble
    private var buffer: ByteBuffer

    public init(boundary: String) {
        delimiter = Array("\r\n--\(boundary)".utf8)
        // The first delimiter has no line break before it; pretend it had.
        buffer = ByteBuffer(bytes: [0x0D, 0x0A])
    }

    /// Whether the closing delimiter has been read.
    public var isComplete: Bool { state == .epilogue }

    /// Reads the next chunk, calling `handle` for every event it completes.
    public mutating func feed(_ chunk: ByteBuffer, _ handle: (Event) throws -> Void) throws {
        if buffer.readableBytes == 0 { buffer = chunk } else { var chunk = chunk; buffer.writeBuffer(&chunk) }
        while try step(handle) {}
        if buffer.readableBytes == 0 { buffer = ByteBuffer() }  // let go of the chunk's storage
    }

    /// One step of the state machine; false when it needs more bytes.
    private mutating func step(_ handle: (Event) throws -> Void) throws -> Bool {
        switch state {
        case .preamble:
            guard let index = find(delimiter) else {
                buffer.moveReaderIndex(forwardBy: max(0, buffer.readableBytes - delimiter.count + 1))  // preamble is ignored
                return false
            }
            buffer.moveReaderIndex(forwardBy: index + delimiter.count)
            state = .afterDelimiter
            return true
        case .afterDelimiter:
            // "--" closes the body; otherwise optional padding, then a line break and the next part's headers.
            let view = buffer.readableBytesView
            let padding = view.prefix { $0 == 0x20 || $0 == 0x09 }.count
            guard padding <= 256 else { throw Failure.malformed }
            guard view.count >= padding + 2 else { return false }
            let next = view.dropFirst(padding).prefix(2)
            if padding == 0, next.elementsEqual([0x2D, 0x2D]) {
                buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
                state = .epilogue
                try handle(.end)
                return false
            }
            guard next.elementsEqual([0x0D, 0x0A]) else { throw Failure.malformed }
            buffer.moveReaderIndex(forwardBy: padding + 2)
            state = .headers
            return true
        case .headers:
            var block = ""
            if buffer.readableBytesView.starts(with: [0x0D, 0x0A]) {  // a part without headers
                buffer.moveReaderIndex(forwardBy: 2)
            } else {
                guard let index = find([0x0D, 0x0A, 0x0D, 0x0A]), index <= Self.maxHeaderBytes else {
                    if buffer.readableBytes > Self.maxHeaderBytes + 4 { throw Failure.headersTooLarge }
                    return false
                }
                block = buffer.readString(length: index) ?? ""
                buffer.moveReaderIndex(forwardBy: 4)
            }
            try handle(.partBegin(headers: try Self.headers(block)))
            state = .body
            return true
        case .body:
            if let index = find(delimiter) {
                if index > 0, let bytes = buffer.readSlice(length: index) { try handle(.body(bytes)) }
                buffer.moveReaderIndex(forwardBy: delimiter.count)
                try handle(.partEnd)
                state = .afterDelimiter
                return true
            }
            let keep = possibleDelimiterStart()
            if buffer.readableBytes > keep, let bytes = buffer.readSlice(length: buffer.readableBytes - keep) { try handle(.body(bytes)) }
            return false
        case .epilogue:
            buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
            return false
        }
    }

    /// Where `needle` (which starts with a carriage return) first occurs in the unread bytes: `memchr`
    /// jumps between carriage returns, `memcmp` checks each.
    private func find(_ needle: [UInt8]) -> Int? {
        buffer.withUnsafeReadableBytes { haystack -> Int? in
            guard haystack.count >= needle.count, let base = haystack.baseAddress else { return nil }
            return needle.withUnsafeBytes { needleBytes -> Int? in
                var position = 0
                let last = haystack.count - needle.count
                while position <= last, let hit = memchr(base + position, Int32(needle[0]), last - position + 1) {
                    let offset = UnsafeRawPointer(hit) - base
                    // In file bytes most carriage returns are not followed by a line feed: check that byte before calling memcmp.
                    if haystack[offset + 1] == needle[1], memcmp(hit, needleBytes.baseAddress!, needle.count) == 0 { return offset }
                    position = offset + 1
                }
                return nil
            }
        }
    }

    /// How many trailing bytes could begin a delimiter that the next chunk completes.
    private func possibleDelimiterStart() -> Int {
        buffer.withUnsafeReadableBytes { bytes in
            for length in stride(from: min(delimiter.count - 1, bytes.count), to: 0, by: -1)
            where bytes[bytes.count - length] == 0x0D && bytes[(bytes.count - length)...].elementsEqual(delimiter[..<length]) {
                return length
            }
            return 0
        }
    }

    /// `Name: value` lines; a line without a colon is malformed.
    static func headers(_ block: String) throws -> [(name: String, value: String)] {
        try block.split(separator: "\r\n", omittingEmptySubsequences: true).map { line in
            guard let colon = line.firstIndex(of: ":") else { throw Failure.malformed }
            return (String(line[..<colon]).trimmingCharacters(in: .whitespaces), String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces))
        }
    }
}
