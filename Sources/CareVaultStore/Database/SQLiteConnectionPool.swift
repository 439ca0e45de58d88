import Logging
import NIOPosix
import SQLiteKit
import Synchronization

/// A small pool of SQLite connections to one file (WAL mode, so readers never wait for the writer).
///
/// Write transactions are serialized in-process by ``Database``; this pool only hands out connections.
final class SQLiteConnectionPool: Sendable {
    private struct State {
        var idle: [SQLiteConnection] = []
        var opened = 0
        var waiters: [CheckedContinuation<SQLiteConnection, any Error>] = []
    }

    private enum Acquisition {
        case reuse(SQLiteConnection)
        case openNew
        case wait
    }

    private let path: String
    private let maxConnections: Int
    private let threadPool: NIOThreadPool
    private let logger: Logger
    private let state = Mutex(State())

    init(path: String, maxConnections: Int, logger: Logger) {
        self.path = path
        self.maxConnections = maxConnections
        self.logger = logger
        // A thread pool of its own, so SQLite calls never compete with other blocking work for threads.
        self.threadPool = NIOThreadPool(numberOfThreads: maxConnections)
        self.threadPool.start()
    }

    func withConnection<T>(_ body: (SQLiteConnection) async throws -> T) async throws -> T {
        let connection = try await acquire()
        defer { release(connection) }
        return try await body(connection)
    }

    private func acquire() async throws -> SQLiteConnection {
        let step = state.withLock { state -> Acquisition in
            if let connection = state.idle.popLast() { return .reuse(connection) }
            if state.opened < maxConnections {
                state.opened += 1
                return .openNew
            }
            return .wait
        }
        switch step {
        case .reuse(let connection):
            return connection
        case .openNew:
            do {
                return try await open()
            } catch {
                state.withLock { $0.opened -= 1 }
                throw error
            }
        case .wait:
            return try await withCheckedThrowingContinuation { continuation in
                let ready = state.withLock { state -> SQLiteConnection? in
                    if let connection = state.idle.popLast() { return connection }
                    state.waiters.append(continuation)
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        }
    }

    private func release(_ connection: SQLiteConnection) {
        let waiter = state.withLock { state -> CheckedContinuation<SQLiteConnection, any Error>? in
            if state.waiters.isEmpty {
                state.idle.append(connection)
                return nil
            }
            return state.waiters.removeFirst()
        }
        waiter?.resume(returning: connection)
    }

    private func open() async throws -> SQLiteConnection {
        let connection = try await SQLiteConnection.open(
            storage: .file(path: path), threadPool: threadPool, logger: logger,
            on: MultiThreadedEventLoopGroup.singleton.any()
        )
        let sql = connection.sql()
        try await sql.raw("PRAGMA journal_mode = WAL").run()
        try await sql.raw("PRAGMA synchronous = NORMAL").run()
        try await sql.raw("PRAGMA foreign_keys = ON").run()
        try await sql.raw("PRAGMA busy_timeout = 5000").run()
        return connection
    }

    /// Closes idle connections and stops the thread pool. Call once, when nothing uses the pool.
    func close() async {
        let connections = state.withLock { state -> [SQLiteConnection] in
            defer { state.idle.removeAll() }
            return state.idle
        }
        for connection in connections { try? await connection.close() }
        try? await threadPool.shutdownGracefully()
    }
}
