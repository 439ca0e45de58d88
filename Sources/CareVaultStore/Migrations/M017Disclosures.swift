/// The accounting of disclosures: what staff released outside treatment, payment and operations — to
/// whom, what, why and when — kept for the patient's report of the last six years.
struct M017Disclosures: Migration {
    let number = 17
    let name = "disclosures"

    func statements(for t: ColumnTypes) -> [String] {
        [
            """
            CREATE TABLE disclosures (
                id TEXT PRIMARY KEY,
                patient_id TEXT NOT NULL REFERENCES patients (id),
                disclosed_on TEXT NOT NULL,
                recipient TEXT NOT NULL,
                what TEXT NOT NULL,
                purpose TEXT NOT NULL,
                recorded_by TEXT REFERENCES accounts (id),
                recorded_at \(t.bigint) NOT NULL
            )
            """,
            "CREATE INDEX disclosures_patient ON disclosures (patient_id, disclosed_on)",
        ]
    }
}
