import Dispatch
import Foundation

/// Runs a converter program (poppler, gdk-pixbuf) on an uploaded file's decrypted bytes, outside the
/// server and inside a bubblewrap sandbox: no network, no other processes, nothing of the file system
/// but the read-only system files under /usr (and the fonts and linker caches in /etc) — so not the data
/// folder with its master key and database — an empty /tmp, every capability dropped. The bytes go in on
/// a pipe and a PNG comes back on another (nothing touches the disk), with an empty environment,
/// `prlimit` caps on memory (1 GiB of address space), CPU (10 s), open files and written files (none),
/// and `timeout` killing it after 20 s. A file the converter cannot draw, or one that makes it exceed a
/// limit, simply has no preview. Where the sandbox cannot run, previews are off: never unsandboxed.
enum SandboxedConverter {
    static let maxOutputBytes = 16 << 20
    static let bubblewrap = "/usr/bin/bwrap"

    /// At most this many converters run at once, of all kinds (each holds its input in memory and may use a core).
    static let gate = RenderGate(limit: 2)

    /// Whether `command` can run sandboxed: it, `prlimit`, `timeout` and bubblewrap are installed, and
    /// bubblewrap works here (it needs user namespaces, which some hosts and containers turn off).
    static func available(_ command: String, bubblewrap: String = bubblewrap) -> Bool {
        [command, bubblewrap, "/usr/bin/prlimit", "/usr/bin/timeout"].allSatisfy(FileManager.default.isExecutableFile(atPath:))
            && bubblewrap == Self.bubblewrap && sandboxWorks
    }

    /// Tried once per process: the sandbox runs `true`.
    static let sandboxWorks: Bool = runBlocking(sandbox(for: "/usr/bin/true") + ["/usr/bin/true"], input: [], requirePNG: false) != nil

    /// A converter that dies early must not take the server with it (a write to its closed pipe).
    private static let sigpipeIgnored: Void = { signal(SIGPIPE, SIG_IGN) }()

    /// `command` wrapped in the sandbox and the time and resource limits.
    static func limited(_ command: [String]) -> [String] {
        ["/usr/bin/timeout", "-s", "KILL", "20"] + sandbox(for: command[0])
            + ["/usr/bin/prlimit", "--as=1073741824", "--cpu=10", "--nofile=64", "--fsize=0", "--core=0", "--"] + command
    }

    /// bubblewrap's arguments for running `program`: new namespaces of every kind (network included),
    /// /usr read-only with the usual links to it, the fonts and the linker's cache, fresh /proc, /dev and
    /// /tmp. A program outside /usr (a configured path) is bound read-only on its own, nothing beside it.
    static func sandbox(for program: String) -> [String] {
        var arguments = [bubblewrap, "--unshare-all", "--die-with-parent", "--new-session", "--cap-drop", "ALL",
                         "--ro-bind", "/usr", "/usr", "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64",
                         "--symlink", "usr/bin", "/bin", "--symlink", "usr/sbin", "/sbin",
                         "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--chdir", "/tmp", "--setenv", "PATH", "/usr/bin:/bin"]
        for path in ["/etc/fonts", "/etc/ld.so.cache", "/etc/alternatives"] where FileManager.default.fileExists(atPath: path) {
            arguments += ["--ro-bind", path, path]
        }
        if !program.hasPrefix("/usr/") { arguments += ["--ro-bind", program, program] }
        return arguments + ["--"]
    }

    /// The PNG that `arguments` makes of the bytes `load` supplies, or nil. `load` runs once a
    /// converter is free, so waiting requests hold no file in memory; inputs over `maxInputBytes` are not tried.
    static func convert(_ arguments: [String], maxInputBytes: Int, _ load: () async throws -> [UInt8]) async throws -> [UInt8]? {
        await gate.enter()
        let png: [UInt8]?
        do {
            let input = try await load()
            png = input.count > maxInputBytes ? nil : await run(arguments, input: input)
        } catch {
            await gate.leave()
            throw error
        }
        await gate.leave()
        return png
    }

    /// Runs the blocking pipe work on a Dispatch thread, not on the server's cooperative pool.
    static func run(_ arguments: [String], input: [UInt8]) async -> [UInt8]? {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: runBlocking(arguments, input: input)) }
        }
    }

    /// Pipes are made close-on-exec under this lock, and converters spawned under it too, so that no
    /// converter inherits another's pipe (which would keep that one's output open after its converter ended).
    private static let spawnLock = NSLock()

    /// The converter's output, or nil when it failed, overran a limit or (with `requirePNG`) did not write a PNG.
    private static func runBlocking(_ arguments: [String], input: [UInt8], requirePNG: Bool = true) -> [UInt8]? {
        _ = sigpipeIgnored
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
        guard exitedCleanly, !tooLarge, !requirePNG || output.starts(with: [0x89, 0x50, 0x4E, 0x47]) else { return nil }
        return output
    }
}
