#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A Bundle file mapped into memory read-only: the kernel pages it in as entries are read and may
/// drop those pages again, so a 50 MB bundle costs neither a 50 MB copy nor a tree of the whole.
/// Only the outline (where each entry lies) is kept; each entry is parsed when asked for.
public final class MappedBundleFile: BundleEntrySource, @unchecked Sendable {
    // @unchecked: the mapping is read-only and immutable for the object's lifetime.
    private let base: UnsafeRawPointer
    private let length: Int
    public let header: JSONValue
    private let ranges: [Range<Int>]

    /// Maps and outlines the file; throws naming `file` when it cannot be read, `JSON` when it is not one JSON object.
    public init(path: String) throws(BundleImportError) {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw BundleImportError(entry: nil, resourceType: nil, field: "file", message: "cannot be read") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw BundleImportError(entry: nil, resourceType: nil, field: "file", message: "cannot be read") }
        let length = Int(info.st_size)
        guard length > 0 else { throw BundleImportError(entry: nil, resourceType: nil, field: "JSON", message: "the file is empty") }
        guard let mapped = mmap(nil, length, PROT_READ, MAP_PRIVATE, fd, 0), mapped != MAP_FAILED else {
            throw BundleImportError(entry: nil, resourceType: nil, field: "file", message: "cannot be read")
        }
        _ = madvise(mapped, length, MADV_SEQUENTIAL)
        let layout: JSONParser.BundleLayout
        do {
            layout = try JSONParser.scanBundle(raw: UnsafeRawBufferPointer(start: mapped, count: length))
        } catch {
            munmap(mapped, length)
            throw BundleImportError(entry: nil, resourceType: nil, field: "JSON", message: error.description)
        }
        self.base = UnsafeRawPointer(mapped)
        self.length = length
        self.header = layout.header
        self.ranges = layout.entryRanges
    }

    deinit { munmap(UnsafeMutableRawPointer(mutating: base), length) }

    public var count: Int { ranges.count }

    public func entry(_ index: Int) throws(BundleImportError) -> JSONValue {
        let range = ranges[index]
        do {
            return try JSONParser.parse(raw: UnsafeRawBufferPointer(start: base + range.lowerBound, count: range.count))
        } catch {
            throw BundleImportError(entry: index, resourceType: nil, field: "JSON",
                                    message: "invalid JSON at byte \(range.lowerBound + error.offset): \(error.reason)")
        }
    }
}
