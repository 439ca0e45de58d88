/// An index of what the patient has not opened yet, for home's "new since you last looked". The
/// count read every item of the patient's sections to find the unopened ones (a record with 5,000
/// readings: 1.8 ms a visit to home). Partial — only unopened items, and only what the count needs —
/// so it stays small as patients open their record, and the count reads it alone (0.05 ms).
struct M011UnopenedIndex: Migration {
    let number = 11
    let name = "unopened-index"

    func statements(for t: ColumnTypes) -> [String] {
        ["CREATE INDEX fhir_resources_unopened ON fhir_resources (patient_scope, section, available_at) WHERE opened_at IS NULL"]
    }
}
