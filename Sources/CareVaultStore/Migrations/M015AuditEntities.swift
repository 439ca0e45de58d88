/// One audit event per request: the event lists everything of the record the request showed or sent
/// (`Type/id`, one per line) instead of one row per resource. Earlier rows keep their single resource
/// and their hashes.
struct M015AuditEntities: Migration {
    let number = 15
    let name = "audit-entities"

    func statements(for t: ColumnTypes) -> [String] {
        ["ALTER TABLE audit_log ADD COLUMN entities TEXT"]
    }
}
