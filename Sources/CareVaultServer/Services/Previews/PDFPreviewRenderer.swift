import Dispatch
import Foundation

/// First-page previews of PDF uploads, drawn by poppler's `pdftoppm` where the machine has it.
///
/// A patient's PDF is untrusted input to a large C parser, so it never runs inside the server: a
/// separate process gets the decrypted bytes on a pipe and answers a PNG on another pipe (nothing
/// touches the disk), with an empty environment, `prlimit` caps on memory (1 GiB of address space),
/// CPU (10 s), open files and written files (none), and `timeout` killing it after 20 s. A PDF
/// that fails, is encrypted or is too large simply has no preview.
struct PDFPreviewRenderer: Sendable {
    /// The path of `pdftoppm`.
    let pdftoppm: String
    static let maxInputBytes = 32 << 20
    static let maxOutputBytes = 16 << 20
    /// Width and height of the preview at most, in pixels.
    static let size = 800
    static let defaultPath = "/usr/bin/pdftoppm"

    /// The renderer if `pdftoppm`, `prlimit` and `timeout` are all there; nil otherwise.
    init?(pdftoppm: String) {
        guard [pdftoppm, "/usr/bin/prlimit", "/usr/bin/timeout"].allSatisfy(FileManager.default.isExecutableFile(atPath:)) else { return nil }
        self.pdftoppm = pdftoppm
        // A renderer that dies early must not take the server with it (a write to its closed pipe).
        signal(SIGPIPE, SIG_IGN)
    }

    var arguments: [String] {
        ["/usr/bin/timeout", "-s", "KILL", "20",
         "/usr/bin/prlimit", "--as=1073741824", "--cpu=10", "--nofile=64", "--fsize=0", "--core=0", "--",
         pdftoppm, "-png", "-singlefile", "-f", "1", "-l", "1", "-scale-to", String(Self.size), "-"]
    }

    /// At most this many renderers run at once (each holds its PDF in memory and may use a core).
    static let gate = RenderGate(limit: 2)

    /// The first page as a PNG, or nil when it cannot be drawn. `load` supplies the PDF once a
    /// renderer is free, so waiting requests hold no PDF in memory.
    func render(_ load: () async throws -> [UInt8]) async throws -> [UInt8]? {
        await Self.gate.enter()
        let png: [UInt8]?
        do {
            let pdf = try await load()
            let arguments = arguments
            png = pdf.count > Self.maxInputBytes ? nil : await withCheckedContinuation { continuation in
                // Blocking pipe work runs on Dispatch threads, not the server's cooperative pool.
                DispatchQueue.global().async { continuation.resume(returning: Self.run(arguments, input: pdf)) }
            }
        } catch {
            await Self.gate.leave()
            throw error
        }
        await Self.gate.leave()
        return png
    }

    /// A counting semaphore for async callers.
    actor RenderGate {
        private let limit: Int
        private var running = 0
        private var waiting: [CheckedContinuation<Void, Never>] = []

        init(limit: Int) { self.limit = limit }

        func enter() async {
            if running < limit {
                running += 1
                return
            }
            await withCheckedContinuation { waiting.append($0) }
        }

        func leave() {
            if waiting.isEmpty { running -= 1 } else { waiting.removeFirst().resume() }
        }
    }

    /// Pipes are made close-on-exec under this lock, and renderers spawned under it too, so that no
    /// renderer inherits another's pipe (which would keep that one's output open after its renderer ended).
    private static let spawnLock = NSLock()

    private static func run(_ arguments: [String], input: [UInt8]) -> [UInt8]? {
        var toChild: [Int32] = [0, 0], fromChild: [Int32] = [0, 0]
        spawnLock.lock()
        guard pipe(&toChild) == 0 else { spawnLock.unlock(); return nil }
        guard pipe(&fromChild) == 0 else { spawnLock.unlock(); close(toChild[0]); close(toChild[1]); return nil }
        for fd in toChild + fromChild { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, toChild[0], 0)
        posix_spawn_file_actions_adddup2(&actions, fromChild[1], 1)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv = arguments.map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = [strdup("PATH=/usr/bin:/bin"), nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, arguments[0], &actions, nil, argv, envp) == 0
        spawnLock.unlock()
        close(toChild[0])
        close(fromChild[1])
        guard spawned else { close(toChild[1]); close(fromChild[0]); return nil }

        let writer = DispatchGroup()
        writer.enter()
        let writeEnd = toChild[1]
        DispatchQueue.global().async {
            input.withUnsafeBytes { bytes in
                var offset = 0
                while offset < bytes.count {
                    let written = write(writeEnd, bytes.baseAddress! + offset, bytes.count - offset)
                    if written < 0 && errno == EINTR { continue }
                    guard written > 0 else { break }
                    offset += written
                }
            }
            close(writeEnd)
            writer.leave()
        }
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var tooLarge = false
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fromChild[0], $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            if output.count + count > maxOutputBytes { tooLarge = true; break }
            output += buffer[0..<count]
        }
        close(fromChild[0])
        if tooLarge { kill(pid, SIGKILL) }
        writer.wait()
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let exitedCleanly = status & 0x7F == 0 && (status >> 8) & 0xFF == 0
        guard exitedCleanly, !tooLarge, output.starts(with: [0x89, 0x50, 0x4E, 0x47]) else { return nil }
        return output
    }
}
