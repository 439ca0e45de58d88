/// In-place changes that take identifying metadata out of an image without moving anything: ranges
/// overwritten with zeros, and short runs replaced by new bytes of the same length. Every offset in
/// the file stays valid, which is what lets formats addressed by offsets (TIFF, HEIF) lose their
/// metadata without being rebuilt, and lets the cleaned copy stream out in one pass.
public struct ImageEdits: Sendable, Equatable {
    /// One change; ranges never overlap.
    public struct Edit: Sendable, Equatable {
        public let range: Range<Int>
        /// The new bytes (`range.count` of them), or nil for zeros.
        public let bytes: [UInt8]?
    }

    /// The changes, in file order.
    public let edits: [Edit]
    /// What was taken out, by name ("EXIF", "GPS", "XMP", "thumbnail", …), for the page to say.
    public let removed: Set<String>
    private var cursor = 0

    /// Edits from zeroed ranges and replacements; throws `malformed` if any two overlap.
    init(zeroed: [Range<Int>], replaced: [(offset: Int, bytes: [UInt8])], removed: Set<String>) throws {
        let all = zeroed.filter { !$0.isEmpty }.map { Edit(range: $0, bytes: nil) }
            + replaced.filter { !$0.bytes.isEmpty }.map { Edit(range: $0.offset..<($0.offset + $0.bytes.count), bytes: $0.bytes) }
        let sorted = all.sorted { $0.range.lowerBound < $1.range.lowerBound }
        for (a, b) in zip(sorted, sorted.dropFirst()) where a.range.overlaps(b.range) { throw ImageMetadataStripper.Failure.malformed }
        edits = sorted
        self.removed = removed
    }

    /// Applies the edits that fall in `chunk`, which starts at `offset` in the file. Chunks must come
    /// in file order, as they do when the file streams out.
    public mutating func apply(to chunk: inout [UInt8], at offset: Int) {
        let end = offset + chunk.count
        while cursor < edits.count, edits[cursor].range.upperBound <= offset { cursor += 1 }
        var index = cursor
        while index < edits.count, edits[index].range.lowerBound < end {
            let edit = edits[index]
            let lower = max(edit.range.lowerBound, offset), upper = min(edit.range.upperBound, end)
            if let bytes = edit.bytes {
                for position in lower..<upper { chunk[position - offset] = bytes[position - edit.range.lowerBound] }
            } else {
                chunk.replaceSubrange((lower - offset)..<(upper - offset), with: repeatElement(0, count: upper - lower))
            }
            index += 1
        }
    }

    /// The gaps in `0..<size` that `kept` does not cover.
    static func complement(of kept: [Range<Int>], in size: Int) -> [Range<Int>] {
        var gaps: [Range<Int>] = []
        var position = 0
        for range in kept.filter({ !$0.isEmpty }).sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if range.lowerBound > position { gaps.append(position..<min(range.lowerBound, size)) }
            position = max(position, range.upperBound)
            if position >= size { break }
        }
        if position < size { gaps.append(position..<size) }
        return gaps.filter { !$0.isEmpty }
    }
}
