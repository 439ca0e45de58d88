import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs a program to completion with posix_spawn and waitpid (Foundation's Process can miss a
/// child's exit on Linux), capturing standard output and error through a file.
enum Command {
    struct Result {
        let status: Int32
        let output: String
    }

    struct Failed: Error, CustomStringConvertible {
        let description: String
    }

    static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                    input: String? = nil, asUser user: String? = nil) throws -> Result {
        let folder = FileManager.default.temporaryDirectory
        let outputPath = folder.appendingPathComponent("carevault-cmd-\(UUID().uuidString).out").path
        let inputPath = folder.appendingPathComponent("carevault-cmd-\(UUID().uuidString).in").path
        defer {
            try? FileManager.default.removeItem(atPath: outputPath)
            try? FileManager.default.removeItem(atPath: inputPath)
        }
        FileManager.default.createFile(atPath: inputPath, contents: Data((input ?? "").utf8))

        let program = user == nil ? executable : "/usr/sbin/runuser"
        let argv = (user.map { ["runuser", "-u", $0, "--", executable] } ?? [executable]) + arguments
        var env = environment ?? ProcessInfo.processInfo.environment
        if environment != nil { env["PATH"] = env["PATH"] ?? ProcessInfo.processInfo.environment["PATH"] }
        let envp = env.map { "\($0.key)=\($0.value)" }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, inputPath, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        let cArgs = argv.map { strdup($0) } + [nil]
        let cEnv = envp.map { strdup($0) } + [nil]
        defer {
            cArgs.forEach { free($0) }
            cEnv.forEach { free($0) }
        }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, program, &actions, nil, cArgs, cEnv)
        guard spawned == 0 else { throw Failed(description: "could not start \(program): error \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let exitCode = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        return Result(status: exitCode, output: output)
    }

    /// Starts a program in the background (output to `logPath`); returns its process id.
    static func start(_ executable: String, _ arguments: [String], environment: [String: String], logPath: String) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let cArgs = ([executable] + arguments).map { strdup($0) } + [nil]
        let cEnv = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            cArgs.forEach { free($0) }
            cEnv.forEach { free($0) }
        }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, executable, &actions, nil, cArgs, cEnv)
        guard spawned == 0 else { throw Failed(description: "could not start \(executable): error \(spawned)") }
        return pid
    }

    /// Sends SIGTERM and waits; returns the exit status.
    static func stop(_ pid: pid_t) -> Int32 {
        kill(pid, SIGTERM)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }

    /// Runs and requires exit status 0.
    @discardableResult
    static func check(_ executable: String, _ arguments: [String], asUser user: String? = nil) throws -> String {
        let result = try run(executable, arguments, asUser: user)
        guard result.status == 0 else {
            throw Failed(description: "\(executable) \(arguments.joined(separator: " ")) failed (\(result.status)): \(result.output)")
        }
        return result.output
    }
}
