/// One numbered schema step. Migrations are append-only: once released, a migration is never
/// edited; a later one changes what it made.
public protocol Migration: Sendable {
    /// Position in the sequence, from 1, without gaps.
    var number: Int { get }
    var name: String { get }
    /// The statements to run, in order, for the given engine.
    func statements(for types: ColumnTypes) -> [String]
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
