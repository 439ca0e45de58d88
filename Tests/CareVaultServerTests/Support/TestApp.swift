import CareVaultCore
@testable import CareVaultServer
import CareVaultStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging

/// The databases a storage test runs on: SQLite always, PostgreSQL when it can be started.
let testDatabases: [DatabaseKind] = PostgresTestServer.shouldRun ? [.sqlite, .postgresql] : [.sqlite]

/// Runs a real CareVault server (real HTTP on a free port, a real database, a real data folder)
/// for one test, and hands the test a client and the server's environment.
enum TestApp {
    /// A configuration for tests: a fresh data folder, a fast bcrypt cost, a generous rate limit.
    static func configuration(_ kind: DatabaseKind) async throws -> CareVaultConfiguration {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("carevault-test-\(UUID().uuidString)")
        var configuration = CareVaultConfiguration(dataDirectory: folder, passwordHashCost: 4,
                                                   rateLimit: .init(requests: 10_000, per: .seconds(60)))
        if kind == .postgresql {
            configuration.databaseURL = try await PostgresTestServer.shared.newDatabaseURL()
        }
        return configuration
    }

    /// Runs `body` with a fresh database (in a fresh data folder, no server) migrated up to `migration`,
    /// and returns what it returns: for tests that store rows as an older schema kept them and check
    /// what a later migration makes of them, and for tests of how statements are planned.
    @discardableResult
    static func withDatabase<T: Sendable>(_ kind: DatabaseKind, migratedTo migration: Int,
                                          _ body: @Sendable (Database) async throws -> T) async throws -> T {
        let configuration = try await configuration(kind)
        defer { try? FileManager.default.removeItem(at: configuration.dataDirectory) }
        let location = try DatabaseLocation.resolve(databaseURL: configuration.databaseURL, dataDirectory: configuration.dataDirectory)
        try FileManager.default.createDirectory(at: configuration.dataDirectory, withIntermediateDirectories: true)
        return try await Database.withOpened(location, logger: logger) { database in
            try await Migrator(database: database, migrations: Array(Migrator.all.prefix(migration))).migrate(logger: logger)
            return try await body(database)
        }
    }

    /// Applies the migrations after the ones a ``withDatabase(_:migratedTo:_:)`` database has, up to `migration`.
    @discardableResult
    static func migrate(_ database: Database, to migration: Int) async throws -> [Int] {
        try await Migrator(database: database, migrations: Array(Migrator.all.prefix(migration))).migrate(logger: logger)
    }

    static var logger: Logger {
        var logger = Logger(label: "carevault-test")
        logger.logLevel = ProcessInfo.processInfo.environment["TEST_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .critical
        return logger
    }

    static func run(
        _ kind: DatabaseKind,
        logger: Logger = TestApp.logger,
        configure: (inout CareVaultConfiguration) -> Void = { _ in },
        _ body: @Sendable (any TestClientProtocol, AppEnvironment) async throws -> Void
    ) async throws {
        var configuration = try await configuration(kind)
        configure(&configuration)
        defer { try? FileManager.default.removeItem(at: configuration.dataDirectory) }
        let env = try await makeEnvironment(configuration: configuration, logger: logger)
        let app = try buildApplication(environment: env)
        try await app.test(.live) { client in
            try await body(client, env)
        }
    }
}
