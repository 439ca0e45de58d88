import CareVaultCore
import Foundation

/// Organizations, patients, accounts, codes and tokens, sessions, the mail outbox and the audit log.
struct M001Foundation: Migration {
    let number = 1
    let name = "foundation"

    func statements(for t: ColumnTypes) -> [String] {
        [
            """
            CREATE TABLE organizations (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                created_at \(t.bigint) NOT NULL
            )
            """,
            """
            INSERT INTO organizations (id, name, created_at)
            VALUES ('\(OrganizationID())', 'Our clinic', \(Clock.milliseconds(Date())))
            """,
            """
            CREATE TABLE patients (
                id TEXT PRIMARY KEY,
                organization_id TEXT NOT NULL REFERENCES organizations(id),
                mrn TEXT NOT NULL,
                given_name TEXT NOT NULL,
                family_name TEXT NOT NULL,
                birth_date TEXT NOT NULL,
                email TEXT,
                created_at \(t.bigint) NOT NULL,
                UNIQUE (organization_id, mrn)
            )
            """,
            """
            CREATE TABLE accounts (
                id TEXT PRIMARY KEY,
                email TEXT NOT NULL UNIQUE,
                display_name TEXT NOT NULL,
                role TEXT NOT NULL,
                organization_id TEXT REFERENCES organizations(id),
                patient_id TEXT UNIQUE REFERENCES patients(id),
                password_hash TEXT NOT NULL,
                email_verified_at \(t.bigint),
                totp_secret_sealed TEXT,
                totp_pending_sealed TEXT,
                totp_enabled_at \(t.bigint),
                totp_last_step \(t.bigint),
                failed_attempts \(t.integer) NOT NULL DEFAULT 0,
                lockouts \(t.integer) NOT NULL DEFAULT 0,
                locked_until \(t.bigint),
                created_at \(t.bigint) NOT NULL,
                updated_at \(t.bigint) NOT NULL
            )
            """,
            """
            CREATE TABLE activation_codes (
                code_hash TEXT PRIMARY KEY,
                patient_id TEXT NOT NULL REFERENCES patients(id),
                created_at \(t.bigint) NOT NULL,
                expires_at \(t.bigint) NOT NULL,
                used_at \(t.bigint)
            )
            """,
            "CREATE INDEX activation_codes_patient ON activation_codes (patient_id)",
            """
            CREATE TABLE account_tokens (
                token_hash TEXT PRIMARY KEY,
                account_id TEXT REFERENCES accounts(id),
                purpose TEXT NOT NULL,
                created_at \(t.bigint) NOT NULL,
                expires_at \(t.bigint) NOT NULL,
                used_at \(t.bigint)
            )
            """,
            "CREATE INDEX account_tokens_account ON account_tokens (account_id, purpose)",
            """
            CREATE TABLE recovery_codes (
                account_id TEXT NOT NULL REFERENCES accounts(id),
                code_hash TEXT NOT NULL,
                created_at \(t.bigint) NOT NULL,
                used_at \(t.bigint),
                PRIMARY KEY (account_id, code_hash)
            )
            """,
            """
            CREATE TABLE sessions (
                id_hash TEXT PRIMARY KEY,
                handle TEXT NOT NULL UNIQUE,
                account_id TEXT NOT NULL REFERENCES accounts(id),
                stage TEXT NOT NULL,
                created_at \(t.bigint) NOT NULL,
                last_seen_at \(t.bigint) NOT NULL,
                expires_at \(t.bigint) NOT NULL,
                client_ip TEXT,
                user_agent TEXT,
                revoked_at \(t.bigint)
            )
            """,
            "CREATE INDEX sessions_account ON sessions (account_id)",
            """
            CREATE TABLE outbox (
                id TEXT PRIMARY KEY,
                recipient TEXT NOT NULL,
                subject TEXT NOT NULL,
                body_sealed TEXT NOT NULL,
                created_at \(t.bigint) NOT NULL,
                sent_at \(t.bigint)
            )
            """,
            """
            CREATE TABLE audit_log (
                seq \(t.bigint) PRIMARY KEY,
                occurred_at \(t.bigint) NOT NULL,
                actor_account TEXT,
                actor_role TEXT,
                patient_id TEXT,
                action TEXT NOT NULL,
                resource_type TEXT,
                resource_id TEXT,
                basis TEXT,
                outcome TEXT NOT NULL,
                client_ip TEXT,
                user_agent TEXT,
                subject_account TEXT,
                prev_hash TEXT NOT NULL,
                hash TEXT NOT NULL
            )
            """,
            "CREATE INDEX audit_log_patient ON audit_log (patient_id, seq)",
            "CREATE INDEX audit_log_actor ON audit_log (actor_account, seq)",
            "CREATE INDEX audit_log_subject ON audit_log (subject_account, seq)",
            """
            CREATE TABLE audit_head (
                id \(t.integer) PRIMARY KEY CHECK (id = 1),
                seq \(t.bigint) NOT NULL,
                hash TEXT NOT NULL
            )
            """,
            "INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '\(AuditChain.genesisHash)')",
        ]
    }
}
