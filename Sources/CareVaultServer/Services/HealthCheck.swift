import CareVaultStore

/// Whether this server can do its work: the database answers a query.
struct HealthCheck: Sendable {
    let env: AppEnvironment

    /// Whether the database answered, and which kind it is.
    func run() async -> (healthy: Bool, database: DatabaseKind) {
        (await env.database.answers(), env.database.kind)
    }
}
