/// Share links: exactly which items a patient shared, with whom (a label), until when, and how the
/// recipient proves they were meant to have it (the link's token and the access code, stored only as
/// keyed hashes), with the count of wrong codes over the share's life. A recipient who entered the
/// code reads in a short session bound to the share. A share handed out as a SMART Health Link keeps
/// its manifest id (as a keyed hash) and its files only as ciphertext: the key went to the patient.
struct M019ShareLinks: Migration {
    let number = 19
    let name = "share-links"

    func statements(for t: ColumnTypes) -> [String] {
        [
            """
            CREATE TABLE share_links (
                id TEXT PRIMARY KEY,
                patient_id TEXT NOT NULL REFERENCES patients (id),
                created_by TEXT REFERENCES accounts (id),
                label TEXT NOT NULL,
                note TEXT,
                items TEXT NOT NULL,
                token_hash TEXT NOT NULL UNIQUE,
                code_hash TEXT NOT NULL,
                created_at \(t.bigint) NOT NULL,
                expires_at \(t.bigint) NOT NULL,
                once_only INTEGER NOT NULL,
                allows_download INTEGER NOT NULL,
                asks_birth_date INTEGER NOT NULL,
                revoked_at \(t.bigint),
                revoked_by TEXT,
                failed_attempts INTEGER NOT NULL DEFAULT 0,
                locked_at \(t.bigint),
                opened_count INTEGER NOT NULL DEFAULT 0,
                first_opened_at \(t.bigint),
                last_opened_at \(t.bigint),
                shl_manifest_hash TEXT UNIQUE,
                shl_long_term INTEGER NOT NULL DEFAULT 0
            )
            """,
            "CREATE INDEX share_links_patient ON share_links (patient_id, created_at)",
            """
            CREATE TABLE share_sessions (
                id_hash TEXT PRIMARY KEY,
                share_id TEXT NOT NULL REFERENCES share_links (id),
                created_at \(t.bigint) NOT NULL,
                expires_at \(t.bigint) NOT NULL
            )
            """,
            "CREATE INDEX share_sessions_share ON share_sessions (share_id)",
            """
            CREATE TABLE share_files (
                share_id TEXT NOT NULL REFERENCES share_links (id),
                id TEXT NOT NULL,
                content_type TEXT NOT NULL,
                body TEXT NOT NULL,
                PRIMARY KEY (share_id, id)
            )
            """,
        ]
    }
}
