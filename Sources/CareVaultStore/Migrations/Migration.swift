import SQLKit

/// One numbered schema step. Migrations are append-only: once released, a migration is never
/// edited; a later one changes what it made.
public protocol Migration: Sendable {
    /// Position in the sequence, from 1, without gaps.
    var number: Int { get }
    var name: String { get }
    /// The statements to run, in order, for the given engine.
    func statements(for types: ColumnTypes) -> [String]
    /// Work on the rows themselves after the statements, in the same transaction (e.g. filling a
    /// column from the stored JSON, which SQL alone cannot read the same way on both engines).
    func backfill(on sql: any SQLDatabase) async throws
}

extension Migration {
    public func backfill(on sql: any SQLDatabase) async throws {}
}

/// Column types that differ by engine, so one migration text serves both.
public struct ColumnTypes: Sendable {
    public let kind: DatabaseKind

    /// A 64-bit integer (times are milliseconds since 1970 UTC).
    public var bigint: String { kind == .sqlite ? "INTEGER" : "BIGINT" }
    public var text: String { "TEXT" }
    public var integer: String { "INTEGER" }
    /// Raw bytes.
    public var bytes: String { kind == .sqlite ? "BLOB" : "BYTEA" }
}
