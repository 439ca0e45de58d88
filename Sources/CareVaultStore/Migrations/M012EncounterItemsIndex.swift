/// An index of what each visit holds, by section, for the lists' visit filters: each offers only visits
/// with items in its section, checking each of the patient's visits for one. With the single-column
/// encounter index that check read every item of the visit from the table (a Synthea check-up links
/// dozens); this index answers it alone. It leads with the encounter, as the one it replaces did, so
/// a visit's own page finds its items as before.
struct M012EncounterItemsIndex: Migration {
    let number = 12
    let name = "encounter-items-index"

    func statements(for t: ColumnTypes) -> [String] {
        [
            "CREATE INDEX fhir_resources_encounter_items ON fhir_resources (encounter_ref, section, patient_scope, available_at, status)",
            "DROP INDEX fhir_resources_encounter",
        ]
    }
}
