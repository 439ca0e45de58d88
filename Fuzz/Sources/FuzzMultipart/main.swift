// MultipartStreamParser: every form post and upload, read chunk by chunk as it arrives. The boundary
// is taken from the body's first line (`--boundary`), as a browser's body starts. The input is fed
// whole and in chunks of awkward sizes: the parts read must not depend on how the network cut it,
// events must come in order, and no part may hold more bytes than the body.
import CareVaultMultipart
import FuzzSupport
import NIOCore

struct Part: Equatable {
    var headers: [String]
    var body: [UInt8]
}

func parse(_ pieces: [ArraySlice<UInt8>], boundary: String) -> (parts: [Part], complete: Bool)? {
    var parser = MultipartStreamParser(boundary: boundary)
    var parts: [Part] = []
    var open = false, ended = false
    do {
        for piece in pieces {
            try parser.feed(ByteBuffer(bytes: piece)) { event in
                require(!ended, "an event after the end")
                switch event {
                case .partBegin(let headers):
                    require(!open, "a part began inside another")
                    open = true
                    parts.append(Part(headers: headers.map { "\($0.name): \($0.value)" }, body: []))
                case .body(let buffer):
                    require(open, "body bytes outside a part")
                    parts[parts.count - 1].body += buffer.readableBytesView
                case .partEnd:
                    require(open, "a part ended that had not begun")
                    open = false
                case .end:
                    require(!open, "the body ended inside a part")
                    ended = true
                }
            }
        }
    } catch is MultipartStreamParser.Failure {
        return nil
    } catch {
        fatalError("fuzz invariant violated: unexpected error \(error)")
    }
    require(parser.isComplete == ended, "isComplete is \(parser.isComplete) but the end event \(ended ? "came" : "did not come")")
    return (parts, parser.isComplete)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = bytes(data, size)
    var boundary = "b"
    if input.starts(with: [0x2D, 0x2D]) {
        // Up to the line break, without the padding that may follow the delimiter.
        var line = input.dropFirst(2).prefix { $0 != 0x0D && $0 != 0x0A }
        while let last = line.last, last == 0x20 || last == 0x09 { line = line.dropLast() }
        if (1...70).contains(line.count) { boundary = String(decoding: line, as: UTF8.self) }
    }
    let whole = parse([input[...]], boundary: boundary)
    let streamed = parse(chunks(of: input), boundary: boundary)
    note(whole.map { "\($0.parts.count) parts, complete: \($0.complete)" } ?? "refused")
    for result in [whole, streamed] {
        if let result { require(result.parts.reduce(0) { $0 + $1.body.count } <= input.count, "parts hold more bytes than the body") }
    }
    require(whole?.parts == streamed?.parts && whole?.complete == streamed?.complete,
            "the parts read depend on how the body was cut: whole \(whole.map { "\($0.parts.count) parts" } ?? "refused"), in chunks \(streamed.map { "\($0.parts.count) parts" } ?? "refused")")
    return 0
}
