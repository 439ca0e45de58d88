// TIFFMetadataScrubber.edits(for:): offsets and sizes read straight from an uploaded file. Every
// edit must lie within the file, and applying them as the file streams out (ImageEdits.apply, in
// chunks of awkward sizes) must give the same bytes as applying them to the whole, at the same length.
import CareVaultCore
import FuzzSupport

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = bytes(data, size)
    let edits: ImageEdits
    do { edits = try TIFFMetadataScrubber.edits(for: input) } catch { note("refused: \(error)"); return 0 }
    note("\(edits.edits.count) edits, removed \(edits.removed.sorted())")
    for edit in edits.edits {
        require(edit.range.lowerBound >= 0 && edit.range.upperBound <= input.count, "edit \(edit.range) outside a file of \(input.count) bytes")
        if let replacement = edit.bytes { require(replacement.count == edit.range.count, "replacement of \(replacement.count) bytes for \(edit.range)") }
    }
    var whole = input
    var once = edits
    once.apply(to: &whole, at: 0)
    var streamed: [UInt8] = []
    var inChunks = edits
    var offset = 0
    for piece in chunks(of: input) {
        var chunk = Array(piece)
        inChunks.apply(to: &chunk, at: offset)
        offset += piece.count
        streamed += chunk
    }
    require(whole.count == input.count, "the cleaned file has \(whole.count) bytes, the original \(input.count)")
    require(streamed == whole, "edits applied in chunks differ from edits applied to the whole file")
    return 0
}
