/// An index for what a patient's record still holds back. Every section page says what is pending
/// release; that count walked every item of the patient (5,000 home readings: ~1.1 ms a page) to
/// find the few held ones. It indexes an expression — when the item is released, with "held for
/// sign-off" as the end of time — so the count seeks exactly the items not yet released. On the plain
/// column, the same index looked cheaper to SQLite's planner for every list's "released by now"
/// condition and made the medicines list of that record 28 times slower.
struct M010ReleaseIndex: Migration {
    let number = 10
    let name = "release-index"

    /// What `available_at` reads as in the index: held items (NULL) sort after every release time.
    static let releaseTime = "COALESCE(available_at, 9223372036854775807)"

    func statements(for t: ColumnTypes) -> [String] {
        ["CREATE INDEX fhir_resources_release ON fhir_resources (patient_scope, (\(Self.releaseTime)))"]
    }
}
