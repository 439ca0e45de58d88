#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Writes a new file in whole mebibytes that bypass the page cache (`O_DIRECT`), then the unaligned
/// tail through it, then `fsync`s.
///
/// Why: a blob is written once and read rarely, so copying it into the page cache only to write it
/// back on `fsync` doubles the kernel's work. Measured on the development machine's ext4 (100 MB, synced): 64 KiB
/// buffered writes cost ~0.45 ms of CPU per MB, 1 MiB direct writes ~0.1 ms — a fifth of what a
/// 100 MB upload cost in all. Filesystems that refuse `O_DIRECT` (tmpfs, some network ones) get the
/// same bytes through the page cache instead.
final class DirectFileWriter {
    /// The size of one direct write, and of the aligned buffer that gathers it.
    static let blockSize = 1 << 20
    /// Direct I/O needs the buffer, the offset and the length aligned to the device's logical block
    /// (512 or 4096 bytes); whole mebibytes at mebibyte offsets from a page-aligned buffer satisfy all.
    static let alignment = 4096

    private let fd: Int32
    private var direct: Bool
    private let buffer: UnsafeMutableRawPointer
    private var buffered = 0
    private var closed = false

    /// Creates `path` (which must not exist) with mode 0600.
    init(creating path: String) throws {
        let flags = O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC
        var fd: Int32 = -1
        var direct = false
        if let odirect = Self.oDirect {
            fd = open(path, flags | odirect, 0o600)
            direct = fd >= 0
            if fd < 0, errno != EINVAL { throw BlobFileError(operation: "open", code: errno) }
        }
        if fd < 0 {
            fd = open(path, flags, 0o600)
            if fd < 0 { throw BlobFileError(operation: "open", code: errno) }
        }
        self.fd = fd
        self.direct = direct
        self.buffer = AlignedBuffers.shared.take()
    }

    deinit {
        if !closed { _ = close(fd) }
        AlignedBuffers.shared.give(buffer)
    }

    /// Appends bytes; whole blocks go to the disk as they fill.
    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var rest = bytes
        while !rest.isEmpty {
            let room = Self.blockSize - buffered
            let take = min(room, rest.count)
            (buffer + buffered).copyMemory(from: rest.baseAddress!, byteCount: take)
            buffered += take
            rest = UnsafeRawBufferPointer(rebasing: rest[take...])
            if buffered == Self.blockSize { try flush() }
        }
    }

    /// Writes what is left and makes the file durable; then closes it.
    func synchronizeAndClose() throws {
        if buffered > 0 {
            // The tail is not a whole block: it goes through the page cache.
            if direct { try leaveDirectMode() }
            try flush()
        }
        guard fsync(fd) == 0 else { throw BlobFileError(operation: "fsync", code: errno) }
        closed = true
        guard close(fd) == 0 else { throw BlobFileError(operation: "close", code: errno) }
    }

    /// Closes without syncing (the caller removes the file).
    func discard() {
        guard !closed else { return }
        closed = true
        _ = close(fd)
    }

    private func flush() throws {
        var offset = 0
        while offset < buffered {
            let written = systemWrite(fd, buffer + offset, buffered - offset)
            if written < 0 {
                if errno == EINTR { continue }
                // A filesystem that accepted O_DIRECT at open but not this write: go on without it.
                if errno == EINVAL, direct { try leaveDirectMode(); continue }
                throw BlobFileError(operation: "write", code: errno)
            }
            offset += written
        }
        buffered = 0
    }

    private func leaveDirectMode() throws {
        guard let odirect = Self.oDirect else { return }
        let flags = fcntl(fd, F_GETFL)
        guard flags >= 0, fcntl(fd, F_SETFL, flags & ~odirect) == 0 else { throw BlobFileError(operation: "fcntl", code: errno) }
        direct = false
    }

    /// `O_DIRECT` is a GNU extension the Swift Glibc module leaves out; its value depends on the
    /// architecture. Elsewhere files are written through the page cache.
    static var oDirect: Int32? {
        #if os(Linux) && arch(x86_64)
        return 0o40000
        #elseif os(Linux) && arch(arm64)
        return 0o200000
        #else
        return nil
        #endif
    }
}

/// `write(2)`, named apart from ``DirectFileWriter/write(_:)``.
private func systemWrite(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, bytes, count)
}

/// A few page-aligned blocks kept for the next upload: a fresh 1 MiB allocation is an `mmap` whose
/// pages fault in on first touch and go back to the kernel on `free`, every time.
final class AlignedBuffers: Sendable {
    static let shared = AlignedBuffers(keep: 4)
    private let keep: Int
    private let free = Mutex<[UnsafeMutableRawPointerBox]>([])

    init(keep: Int) { self.keep = keep }

    func take() -> UnsafeMutableRawPointer {
        if let box = free.withLock({ $0.popLast() }) { return box.pointer }
        return UnsafeMutableRawPointer.allocate(byteCount: DirectFileWriter.blockSize, alignment: DirectFileWriter.alignment)
    }

    func give(_ pointer: UnsafeMutableRawPointer) {
        let kept = free.withLock { list -> Bool in
            guard list.count < keep else { return false }
            list.append(UnsafeMutableRawPointerBox(pointer: pointer))
            return true
        }
        if !kept { pointer.deallocate() }
    }
}

/// A pointer handed between tasks only through ``AlignedBuffers``' lock: one owner at a time.
struct UnsafeMutableRawPointerBox: @unchecked Sendable {
    let pointer: UnsafeMutableRawPointer
}

/// A system call on a blob file failed; `code` is its `errno`.
public struct BlobFileError: Error, CustomStringConvertible {
    let operation: String
    let code: Int32
    public var description: String { "\(operation) failed: \(String(cString: strerror(code)))" }
}
