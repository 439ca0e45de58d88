import Logging
import NIOSSL
import PostgresKit
import PostgresNIO
import SQLKit
import SQLiteKit

/// The storage handle every repository uses: reads on any pooled connection, writes in a
/// transaction. Same API on SQLite and PostgreSQL.
public final class Database: Sendable {
    public let kind: DatabaseKind
    private let backend: Backend
    private let stopSignal = StopSignal()

    private enum Backend: Sendable {
        case sqlite(SQLiteConnectionPool, AsyncLock)
        case postgres(PostgresClient)
    }

    /// Opens (lazily) the database at `location`. Call ``run()`` for as long as it is in use.
    ///
    /// The drivers get a logger that never goes below `notice`: at debug and trace they log
    /// statements with their bound values, which are health data and credentials.
    public init(location: DatabaseLocation, logger: Logger) {
        var logger = logger
        logger.logLevel = max(logger.logLevel, .notice)
        self.kind = location.kind
        switch location {
        case .sqliteFile(let path):
            backend = .sqlite(SQLiteConnectionPool(path: path, maxConnections: 4, logger: logger), AsyncLock())
        case .postgres(let settings):
            var configuration = PostgresClient.Configuration(
                host: settings.host, port: settings.port, username: settings.username,
                password: settings.password, database: settings.database,
                tls: Self.tls(settings.tls)
            )
            configuration.options.maximumConnections = 16
            backend = .postgres(PostgresClient(configuration: configuration, backgroundLogger: logger))
        }
    }

    private static func tls(_ mode: PostgresSettings.TLSMode) -> PostgresClient.Configuration.TLS {
        switch mode {
        case .disable: .disable
        case .prefer: .prefer(.makeClientConfiguration())
        case .require: .require(.makeClientConfiguration())
        }
    }

    /// Keeps the connections alive until the task is cancelled, then closes them.
    public func run() async {
        switch backend {
        case .postgres(let client):
            await client.run()
        case .sqlite(let pool, _):
            await withTaskCancellationHandler {
                await stopSignal.wait()
            } onCancel: {
                stopSignal.fire()
            }
            // This task is cancelled by now, and sqlite-nio refuses work from a cancelled task:
            // close from a detached task so every handle is really closed.
            await Task.detached { await pool.close() }.value
        }
    }

    /// Runs `body` with the database open, then closes it: for commands and tests.
    public static func withOpened<T: Sendable>(
        _ location: DatabaseLocation, logger: Logger, _ body: @Sendable (Database) async throws -> T
    ) async throws -> T {
        let database = Database(location: location, logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await database.run() }
            do {
                let result = try await body(database)
                group.cancelAll()
                return result
            } catch {
                group.cancelAll()
                throw error
            }
        }
    }

    /// What ``read(_:)`` and ``write(_:)`` hand their work: a connection (in a write, the transaction)
    /// that the Store's repositories take. Code outside the Store passes it on and writes no SQL of its
    /// own (scripts/check-layers).
    public typealias DatabaseConnection = any SQLDatabase

    /// Whether the database answers a trivial query now (for health checks); never throws.
    public func answers() async -> Bool {
        (try? await read { try await $0.raw("SELECT 1 AS ok").first() }) != nil
    }

    /// Runs read-only work on a pooled connection.
    public func read<T>(_ body: (DatabaseConnection) async throws -> T) async throws -> T {
        switch backend {
        case .sqlite(let pool, _):
            return try await pool.withConnection { try await body($0.sql(queryLogLevel: nil)) }
        case .postgres(let client):
            return try await client.withConnection { try await body($0.sql(queryLogLevel: nil)) }
        }
    }

    /// Runs `body` in one transaction: all of it is stored, or none of it.
    ///
    /// On SQLite, write transactions are serialized in-process and begin IMMEDIATE, so two writers
    /// never deadlock on lock upgrades.
    public func write<T>(_ body: (DatabaseConnection) async throws -> T) async throws -> T {
        switch backend {
        case .sqlite(let pool, let lock):
            return try await lock.withLock {
                try await pool.withConnection { connection in
                    let sql = connection.sql(queryLogLevel: nil)
                    try await sql.raw("BEGIN IMMEDIATE").run()
                    do {
                        let result = try await body(sql)
                        try await sql.raw("COMMIT").run()
                        return result
                    } catch {
                        try? await sql.raw("ROLLBACK").run()
                        throw error
                    }
                }
            }
        case .postgres(let client):
            return try await client.withConnection { connection in
                let sql = connection.sql(queryLogLevel: nil)
                try await sql.raw("BEGIN").run()
                do {
                    let result = try await body(sql)
                    try await sql.raw("COMMIT").run()
                    return result
                } catch {
                    try? await sql.raw("ROLLBACK").run()
                    throw error
                }
            }
        }
    }
}
