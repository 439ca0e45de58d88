/// Patients' consents for the use of their images (photos, scans): which images, for which purposes,
/// signed how and when, recorded by whom, withdrawn when; and whether a share keeps the real dates on
/// the scans it sends out (otherwise shifted).
struct M020ImageConsents: Migration {
    let number = 20
    let name = "image-consents"

    func statements(for t: ColumnTypes) -> [String] {
        [
            """
            CREATE TABLE image_consents (
                id TEXT PRIMARY KEY,
                patient_id TEXT NOT NULL REFERENCES patients (id),
                images TEXT NOT NULL,
                purposes TEXT NOT NULL,
                signed_name TEXT NOT NULL,
                signed_on TEXT NOT NULL,
                signed_in_clinic INTEGER NOT NULL,
                source TEXT NOT NULL,
                statement TEXT NOT NULL,
                recorded_by TEXT REFERENCES accounts (id),
                recorded_at \(t.bigint) NOT NULL,
                withdrawn_at \(t.bigint),
                withdrawn_by TEXT
            )
            """,
            "CREATE INDEX image_consents_patient ON image_consents (patient_id, recorded_at)",
            "ALTER TABLE share_links ADD COLUMN keeps_dates INTEGER NOT NULL DEFAULT 0",
        ]
    }
}
