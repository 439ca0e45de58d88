// ImageMetadataStripper(kind: .jpeg): an uploaded photo streamed through as it arrives. The input is
// fed twice, whole and in chunks of awkward sizes chosen from its own hash: a streaming reader must
// give the same bytes however the network cuts the file.
import CareVaultCore
import FuzzSupport

func strip(_ pieces: [ArraySlice<UInt8>]) -> [UInt8]? {
    var stripper = ImageMetadataStripper(kind: .jpeg)!
    var out: [UInt8] = []
    do {
        for piece in pieces { out += try stripper.update(piece) }
        out += try stripper.finish()
    } catch {
        return nil
    }
    return out
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = bytes(data, size)
    let whole = strip([input[...]])
    let streamed = strip(chunks(of: input))
    note(whole.map { "cleaned: \(input.count) → \($0.count) bytes" } ?? "refused")
    require(whole == streamed, "the cleaned JPEG depends on how the input was cut: whole \(whole.map { "\($0.count) bytes" } ?? "refused"), in chunks \(streamed.map { "\($0.count) bytes" } ?? "refused")")
    return 0
}
