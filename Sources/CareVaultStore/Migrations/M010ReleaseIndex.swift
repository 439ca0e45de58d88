/// An index for what a patient's record still holds back. Every section page says what is pending
/// release; that count walked every item of the patient (5,000 home readings: ~1 ms a page) to find
/// the few held ones. With this index it seeks them: held for sign-off, or released later.
struct M010ReleaseIndex: Migration {
    let number = 10
    let name = "release-index"

    func statements(for t: ColumnTypes) -> [String] {
        ["CREATE INDEX fhir_resources_release ON fhir_resources (patient_scope, available_at)"]
    }
}
