import CareVaultCore
import CareVaultStore
import Logging

/// Opens the data folder and database for one command-line command (migrating first), runs `body`,
/// then closes everything.
public func withCommandEnvironment<T: Sendable>(
    configuration: CareVaultConfiguration, logger: Logger, _ body: @Sendable (AppEnvironment) async throws -> T
) async throws -> T {
    let env = try await makeEnvironment(configuration: configuration, logger: logger)
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { await env.database.run() }
        defer { group.cancelAll() }
        try await Migrator(database: env.database).migrate(logger: logger)
        try await CodeRekeying(env: env).run()
        try await SecurityLabelIndexing(env: env).run()
        return try await body(env)
    }
}
