/// Codes indexed by patient, newest first. A search by code — one test's history, one kind of home
/// reading — found its rows by walking every Observation of the patient and checking each one's
/// codes, so a patient who logs readings for years made every trend slower; the (system, code) index
/// alone would walk that code across every patient instead. Each code row now carries its patient and
/// its resource's date, filled here from the resource it belongs to, and the index leads with the
/// patient and ends with the date, so the newest N readings of a kind are read in order and no others.
struct M009CodesByPatient: Migration {
    let number = 9
    let name = "codes-by-patient"

    func statements(for t: ColumnTypes) -> [String] {
        [
            "ALTER TABLE fhir_resource_codes ADD COLUMN patient_scope TEXT NOT NULL DEFAULT ''",
            "ALTER TABLE fhir_resource_codes ADD COLUMN effective_start \(t.bigint)",
            """
            UPDATE fhir_resource_codes SET
                patient_scope = (SELECT r.patient_scope FROM fhir_resources r
                                 WHERE r.resource_type = fhir_resource_codes.resource_type AND r.id = fhir_resource_codes.id),
                effective_start = (SELECT r.effective_start FROM fhir_resources r
                                   WHERE r.resource_type = fhir_resource_codes.resource_type AND r.id = fhir_resource_codes.id)
            WHERE EXISTS (
                SELECT 1 FROM fhir_resources r WHERE r.resource_type = fhir_resource_codes.resource_type AND r.id = fhir_resource_codes.id)
            """,
            """
            CREATE INDEX fhir_resource_codes_patient
                ON fhir_resource_codes (patient_scope, system, code, effective_start, resource_type, id)
            """,
            // Nothing searches a code across patients; one index fewer to keep up on every import.
            "DROP INDEX fhir_resource_codes_code",
        ]
    }
}
