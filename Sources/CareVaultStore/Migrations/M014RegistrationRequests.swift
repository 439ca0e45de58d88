/// Sign-up by identity no longer creates an account before anyone has proved they hold the record:
/// each request waits here, either for its link to be followed (mailed only to an address already on
/// file) or for staff to check the person's identity when no address is on file. A pending request
/// never blocks the patient's activation code, and a new code voids it. Activation codes also count
/// wrong birth dates, so a code is spent after a few guesses.
struct M014RegistrationRequests: Migration {
    let number = 14
    let name = "registration-requests"
    static let unconfirmed = "SELECT id FROM accounts WHERE role = 'patient' AND email_verified_at IS NULL"

    func statements(for t: ColumnTypes) -> [String] {
        [
            """
            CREATE TABLE registration_requests (
                id TEXT PRIMARY KEY,
                patient_id TEXT NOT NULL REFERENCES patients(id),
                kind TEXT NOT NULL,
                status TEXT NOT NULL,
                email TEXT NOT NULL,
                password_hash TEXT,
                token_hash TEXT UNIQUE,
                created_at \(t.bigint) NOT NULL,
                expires_at \(t.bigint) NOT NULL,
                resolved_at \(t.bigint),
                resolved_by TEXT
            )
            """,
            "CREATE INDEX registration_requests_queue ON registration_requests (kind, status, created_at)",
            "CREATE INDEX registration_requests_patient ON registration_requests (patient_id, status)",
            "ALTER TABLE activation_codes ADD COLUMN failed_attempts \(t.integer) NOT NULL DEFAULT 0",
            // Accounts the old identity sign-up created before their email was confirmed: they held the
            // record against its own activation code. Their links die with them; the person signs up again.
            "DELETE FROM account_tokens WHERE account_id IN (\(Self.unconfirmed))",
            "DELETE FROM recovery_codes WHERE account_id IN (\(Self.unconfirmed))",
            "DELETE FROM sessions WHERE account_id IN (\(Self.unconfirmed))",
            "DELETE FROM accounts WHERE id IN (\(Self.unconfirmed))",
        ]
    }
}
