/// What patients contribute waits for their care team here (uploads, home readings, allergies,
/// medicines and conditions they report), and site settings an administrator changes (how long
/// deleted uploads keep their bytes).
struct M005ReviewAndSettings: Migration {
    let number = 5
    let name = "review-and-settings"

    func statements(for t: ColumnTypes) -> [String] {
        [
            """
            CREATE TABLE review_items (
                id TEXT PRIMARY KEY,
                patient_id TEXT NOT NULL REFERENCES patients(id),
                resource_type TEXT NOT NULL,
                resource_id TEXT NOT NULL,
                kind TEXT NOT NULL,
                queued \(t.integer) NOT NULL,
                reason TEXT,
                status TEXT NOT NULL,
                comment TEXT,
                submitted_by TEXT,
                submitted_at \(t.bigint) NOT NULL,
                updated_at \(t.bigint) NOT NULL,
                reviewer_id TEXT,
                reviewer_name TEXT,
                reviewed_at \(t.bigint)
            )
            """,
            "CREATE UNIQUE INDEX review_items_resource ON review_items (resource_type, resource_id)",
            "CREATE INDEX review_items_queue ON review_items (queued, status, submitted_at)",
            "CREATE INDEX review_items_patient ON review_items (patient_id, submitted_at)",
            """
            CREATE TABLE settings (
                name TEXT PRIMARY KEY,
                value TEXT NOT NULL,
                updated_by TEXT,
                updated_at \(t.bigint) NOT NULL
            )
            """,
            // Deleted uploads keep their row for the audit; their bytes go after the retention period.
            "ALTER TABLE uploads ADD COLUMN erased_at \(t.bigint)",
            "CREATE INDEX uploads_deleted ON uploads (deleted_at)",
        ]
    }
}
