import Foundation

/// Runs a real tool (zbarimg, pdftotext, pdfinfo) and returns what it printed. posix_spawn, not
/// Foundation's Process, which can hang on Linux.
enum ExternalTool {
    /// The first of `paths` that exists, else nil (the test then says the tool is needed in CI).
    static func find(_ paths: [String]) -> String? { paths.first { FileManager.default.isExecutableFile(atPath: $0) } }

    /// `name` as the shell would find it on PATH (e.g. the python3 that pip installed into).
    static func which(_ name: String) -> String? {
        find((ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/\(name)" })
    }

    /// Whether CI is running (tools are installed there, so their absence is a failure).
    static var required: Bool { ProcessInfo.processInfo.environment["CI"] != nil }

    static func run(_ executable: String, _ arguments: [String]) throws -> String {
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("tool-\(UUID().uuidString).out").path
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid = pid_t()
        guard posix_spawn(&pid, executable, &actions, nil, argv, environ) == 0 else { return "" }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        return (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
    }
}
