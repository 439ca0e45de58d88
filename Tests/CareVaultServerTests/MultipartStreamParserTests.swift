@testable import CareVaultServer
import CareVaultMultipart
import Foundation
import MultipartKit
import NIOCore
import NIOHTTP1
import Testing

/// The streaming multipart reader against bodies written by MultipartKit's serializer, fed in
/// chunks of every awkward size so that delimiters, header blocks and line breaks fall across chunks.
@Suite("Multipart stream parser")
struct MultipartStreamParserTests {
    struct Part: Equatable {
        var headers: [String]
        var body: [UInt8]
    }

    /// The parts read from `body` fed `chunkSize` bytes at a time, and whether the body was complete.
    static func parse(_ body: [UInt8], boundary: String, chunkSize: Int) throws -> (parts: [Part], complete: Bool) {
        var parser = MultipartStreamParser(boundary: boundary)
        var parts: [Part] = []
        var ended = 0
        for start in stride(from: 0, to: body.count, by: chunkSize) {
            try parser.feed(ByteBuffer(bytes: body[start..<min(start + chunkSize, body.count)])) { event in
                switch event {
                case .partBegin(let headers): parts.append(Part(headers: headers.map { "\($0.name): \($0.value)" }, body: []))
                case .body(let bytes): parts[parts.count - 1].body += bytes.readableBytesView
                case .partEnd: ended += 1
                case .end: break
                }
            }
        }
        if parser.isComplete { #expect(ended == parts.count) }
        return (parts, parser.isComplete)
    }

    static let boundary = "----CareVaultBoundary7MA4YWxkTrZu0gW"
    /// A file that contains near misses of the delimiter: line breaks, dashes, the boundary without its
    /// dashes, and the delimiter minus its last byte.
    static let trickyFile: [UInt8] = {
        var bytes = (0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) }
        bytes += Array("\r\n--".utf8) + Array("\r\n-".utf8) + Array("\r\n".utf8) + Array(boundary.utf8)
        bytes += Array("\r\n--\(boundary.dropLast())".utf8) + [0x0D] + [0x0D, 0x0A]
        return bytes
    }()

    static func serialized() throws -> (bytes: [UInt8], parts: [Part]) {
        var token = HTTPHeaders(); token.add(name: "Content-Disposition", value: #"form-data; name="_csrf""#)
        var file = HTTPHeaders(); file.add(name: "Content-Disposition", value: #"form-data; name="files"; filename="scan.pdf""#)
        file.add(name: "Content-Type", value: "application/pdf")
        var empty = HTTPHeaders(); empty.add(name: "Content-Disposition", value: #"form-data; name="files"; filename="empty.txt""#)
        let parts = [MultipartPart(headers: token, body: "token-123"), MultipartPart(headers: file, body: ByteBuffer(bytes: trickyFile)),
                     MultipartPart(headers: empty, body: ByteBuffer())]
        var buffer = ByteBuffer()
        try MultipartSerializer().serialize(parts: parts, boundary: boundary, into: &buffer)
        let expected = parts.map { part in Part(headers: part.headers.map { "\($0.name): \($0.value)" }, body: Array(part.body.readableBytesView)) }
        return (Array(buffer.readableBytesView), expected)
    }

    @Test("MultipartKit's own bodies read back part for part, whatever the chunk size", arguments: [1, 2, 3, 7, 41, 64, 1000, 4096, 65_536])
    func roundTrip(chunkSize: Int) throws {
        let (body, expected) = try Self.serialized()
        let (parts, complete) = try Self.parse(body, boundary: Self.boundary, chunkSize: chunkSize)
        #expect(complete)
        #expect(parts == expected)
    }

    @Test("A preamble, transport padding after a delimiter, a part without headers and an epilogue are read as RFC 2046 says")
    func rfcCorners() throws {
        let body = Array("This is the preamble.\r\n--b  \t\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\none\r\n--b\r\n\r\ntwo\r\n--b--\r\nepilogue --b\r\n".utf8)
        for size in [1, 5, body.count] {
            let (parts, complete) = try Self.parse(body, boundary: "b", chunkSize: size)
            #expect(complete)
            #expect(parts == [Part(headers: [#"Content-Disposition: form-data; name="a""#], body: Array("one".utf8)), Part(headers: [], body: Array("two".utf8))])
        }
    }

    @Test("A cut-off body is incomplete; a broken delimiter line, a header without a colon and a header block over 16 KB are refused")
    func refused() throws {
        let (body, _) = try Self.serialized()
        #expect(try Self.parse(Array(body.dropLast(10)), boundary: Self.boundary, chunkSize: 100).complete == false)
        #expect(throws: MultipartStreamParser.Failure.malformed) { try Self.parse(Array("--b\r\nA: 1\r\n\r\nx\r\n--bX\r\n".utf8), boundary: "b", chunkSize: 3) }
        #expect(throws: MultipartStreamParser.Failure.malformed) { try Self.parse(Array("--b\r\nno colon here\r\n\r\nx\r\n--b--".utf8), boundary: "b", chunkSize: 4) }
        let huge = Array("--b\r\nX-Big: \(String(repeating: "a", count: 17_000))\r\n\r\nx\r\n--b--".utf8)
        #expect(throws: MultipartStreamParser.Failure.headersTooLarge) { try Self.parse(huge, boundary: "b", chunkSize: 1000) }
    }
}

extension MultipartStreamParserTests {
    @Test("2,000 damaged bodies in random chunks: each is read or refused, and no part's bytes come from outside the body")
    func damagedBodies() throws {
        let (body, _) = try Self.serialized()
        var random = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            var bytes = body
            for _ in 0..<Int.random(in: 1...6, using: &random) {
                bytes[Int.random(in: 0..<bytes.count, using: &random)] = [0x0D, 0x0A, 0x2D, 0x3A, UInt8.random(in: 0...255, using: &random)].randomElement(using: &random)!
            }
            if Bool.random(using: &random) { bytes.removeLast(Int.random(in: 0..<bytes.count, using: &random)) }
            do {
                let (parts, _) = try Self.parse(bytes, boundary: Self.boundary, chunkSize: Int.random(in: 1...9000, using: &random))
                #expect(parts.reduce(0) { $0 + $1.body.count } <= bytes.count)
            } catch is MultipartStreamParser.Failure {
                continue
            }
        }
    }
}
