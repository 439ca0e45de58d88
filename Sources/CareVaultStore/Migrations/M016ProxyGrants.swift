/// Proxy access: a grant of one patient's record to another person's account, with the scopes the
/// patient chose, the invitation that offers it (its token and short code kept only as hashes), the
/// terms the proxy agreed to, and for grants staff set up the document they checked.
struct M016ProxyGrants: Migration {
    let number = 16
    let name = "proxy-grants"

    func statements(for t: ColumnTypes) -> [String] {
        [
            """
            CREATE TABLE proxy_grants (
                id TEXT PRIMARY KEY,
                patient_id TEXT NOT NULL REFERENCES patients (id),
                proxy_account_id TEXT REFERENCES accounts (id),
                proxy_name TEXT NOT NULL,
                proxy_email TEXT NOT NULL,
                relationship TEXT NOT NULL,
                scopes TEXT NOT NULL,
                created_by TEXT REFERENCES accounts (id),
                created_at \(t.bigint) NOT NULL,
                invitation_hash TEXT UNIQUE,
                invitation_expires_at \(t.bigint),
                confirm_with TEXT NOT NULL,
                code_hash TEXT,
                failed_attempts INTEGER NOT NULL DEFAULT 0,
                accepted_at \(t.bigint),
                accepted_text TEXT,
                expires_at \(t.bigint),
                revoked_at \(t.bigint),
                revoked_by TEXT,
                last_used_at \(t.bigint),
                reminded_at \(t.bigint),
                document_type TEXT,
                document_reference TEXT,
                document_date TEXT
            )
            """,
            "CREATE INDEX proxy_grants_proxy ON proxy_grants (proxy_account_id, patient_id)",
            "CREATE INDEX proxy_grants_patient ON proxy_grants (patient_id, created_at)",
        ]
    }
}
