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
        var closed = false
    }

    struct PoolClosed: Error {}

    private enum Acquisition {
        case reuse(SQLiteConnection)
        case openNew
        case wait
        case closed
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
            if state.closed { return .closed }
            if let connection = state.idle.popLast() { return .reuse(connection) }
            if state.opened < maxConnections {
                state.opened += 1
                return .openNew
            }
            return .wait
        }
        switch step {
        case .closed:
            throw PoolClosed()
        case .reuse(let connection):
            return connection
        case .openNew:
            do {
                let connection = try await open()
                let closedMeanwhile = state.withLock { $0.closed }
                if closedMeanwhile {
                    try? await connection.close()
                    throw PoolClosed()
                }
                return connection
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
        enum Next { case waiter(CheckedContinuation<SQLiteConnection, any Error>), idle, close }
        let next = state.withLock { state -> Next in
            if state.closed { return .close }
            if state.waiters.isEmpty {
                state.idle.append(connection)
                return .idle
            }
            return .waiter(state.waiters.removeFirst())
        }
        switch next {
        case .waiter(let waiter): waiter.resume(returning: connection)
        case .idle: break
        // Returned after the pool closed: close it here, or SQLite would leak the handle.
        case .close: Task.detached { try? await connection.close() }
        }
    }

    /// SQLite's own `lower()` changes only A–Z, so a search typed "зоя" never found "Зоя" (PostgreSQL's
    /// follows Unicode). This one, installed on every connection, replaces it as SQLite allows; no index
    /// is built on `lower()`, so nothing stored depends on which one ran.
    static let unicodeLower = SQLiteCustomFunction("lower", argumentCount: 1, pure: true) { arguments in
        arguments.first?.string?.lowercased()
    }

    private func open() async throws -> SQLiteConnection {
        let connection = try await SQLiteConnection.open(
            storage: .file(path: path), threadPool: threadPool, logger: logger,
            on: MultiThreadedEventLoopGroup.singleton.any()
        )
        let sql = connection.sql(queryLogLevel: nil)
        try await sql.raw("PRAGMA journal_mode = WAL").run()
        try await sql.raw("PRAGMA synchronous = NORMAL").run()
        try await sql.raw("PRAGMA foreign_keys = ON").run()
        try await sql.raw("PRAGMA busy_timeout = 5000").run()
        try await connection.install(customFunction: Self.unicodeLower)
        return connection
    }

    /// Closes idle connections and stops the thread pool. Call once, when nothing uses the pool.
    func close() async {
        let (connections, waiters) = state.withLock { state -> ([SQLiteConnection], [CheckedContinuation<SQLiteConnection, any Error>]) in
            state.closed = true
            defer {
                state.idle.removeAll()
                state.waiters.removeAll()
            }
            return (state.idle, state.waiters)
        }
        waiters.forEach { $0.resume(throwing: PoolClosed()) }
        for connection in connections { try? await connection.close() }
        try? await threadPool.shutdownGracefully()
    }
}
