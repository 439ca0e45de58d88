import CareVaultStore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A throwaway PostgreSQL server for the test process: initdb + pg_ctl in a temporary folder on a
/// free loopback port, started on first use and stopped when the process exits. Each test gets
/// a database of its own.
actor PostgresTestServer {
    static let shared = PostgresTestServer()

    struct Unavailable: Error, CustomStringConvertible {
        let description: String
    }

    private var port: Int?
    private var counter = 0

    /// Where PostgreSQL's server programs are, if installed.
    static let binDirectory: String? = {
        let candidates = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql"))?
            .sorted(by: >).map { "/usr/lib/postgresql/\($0)/bin" } ?? []
        return candidates.first { FileManager.default.isExecutableFile(atPath: "\($0)/initdb") }
    }()

    /// PostgreSQL tests run when the binaries exist, and always in CI (where missing binaries fail loudly).
    static var shouldRun: Bool { binDirectory != nil || ProcessInfo.processInfo.environment["CI"] != nil }

    /// A `postgres://` URL of a fresh, empty database.
    func newDatabaseURL() throws -> String {
        let port = try startIfNeeded()
        counter += 1
        let name = "carevault_test_\(getpid())_\(counter)"
        try Self.run(psql(), ["-h", "127.0.0.1", "-p", String(port), "-U", "postgres", "-d", "postgres", "-q", "-c", "CREATE DATABASE \(name)"])
        return "postgres://postgres@127.0.0.1:\(port)/\(name)"
    }

    private func psql() -> String {
        let local = (Self.binDirectory ?? "") + "/psql"
        return FileManager.default.isExecutableFile(atPath: local) ? local : "/usr/bin/psql"
    }

    private func startIfNeeded() throws -> Int {
        if let port { return port }
        guard let bin = Self.binDirectory else {
            throw Unavailable(description: "PostgreSQL server binaries (initdb, pg_ctl) are not installed; install postgresql to run the PostgreSQL tests.")
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("carevault-pg-\(getpid())").path
        try? FileManager.default.removeItem(atPath: folder)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let asRoot = getuid() == 0
        if asRoot { try Self.run("/bin/chown", ["postgres:postgres", folder]) }
        let port = try Self.freePort()
        let data = folder + "/data"
        try Self.run(bin + "/initdb", ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"], asPostgres: asRoot)
        let options = "-c listen_addresses=127.0.0.1 -p \(port) -k \(folder) -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400"
        try Self.run(bin + "/pg_ctl", ["-D", data, "-o", options, "-l", folder + "/server.log", "-w", "-t", "60", "start"], asPostgres: asRoot)
        PostgresCleanup.register(pgCtl: bin + "/pg_ctl", data: data, folder: folder, asPostgres: asRoot)
        self.port = port
        return port
    }

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0 else { throw Unavailable(description: "no free port") }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    @discardableResult
    static func run(_ executable: String, _ arguments: [String], asPostgres: Bool = false) throws -> String {
        try Command.check(executable, arguments, asUser: asPostgres ? "postgres" : nil)
    }
}

/// Stops the throwaway server when the test process exits, also after failures.
enum PostgresCleanup {
    nonisolated(unsafe) static var command: (pgCtl: String, data: String, folder: String, asPostgres: Bool)?

    static func register(pgCtl: String, data: String, folder: String, asPostgres: Bool) {
        command = (pgCtl, data, folder, asPostgres)
        atexit {
            guard let c = PostgresCleanup.command else { return }
            _ = try? PostgresTestServer.run(c.pgCtl, ["-D", c.data, "-m", "immediate", "-w", "stop"], asPostgres: c.asPostgres)
            try? FileManager.default.removeItem(atPath: c.folder)
        }
    }
}
