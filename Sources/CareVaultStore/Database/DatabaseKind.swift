/// Which engine stores the data. SQLite is the embedded default; PostgreSQL is for real deployments.
public enum DatabaseKind: String, Sendable, Codable, CaseIterable {
    case sqlite
    case postgresql
}
