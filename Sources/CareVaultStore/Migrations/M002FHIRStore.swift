/// The health record: FHIR R4 resources as JSON with a version history, and the columns searched on.
struct M002FHIRStore: Migration {
    let number = 2
    let name = "fhir-store"

    func statements(for t: ColumnTypes) -> [String] {
        [
            """
            CREATE TABLE fhir_resources (
                resource_type TEXT NOT NULL,
                id TEXT NOT NULL,
                patient_scope TEXT NOT NULL,
                match_key TEXT NOT NULL,
                version_id \(t.bigint) NOT NULL,
                last_updated \(t.bigint) NOT NULL,
                source TEXT NOT NULL,
                category TEXT,
                status TEXT,
                encounter_ref TEXT,
                effective_start \(t.bigint),
                effective_end \(t.bigint),
                json TEXT NOT NULL,
                PRIMARY KEY (resource_type, id)
            )
            """,
            "CREATE UNIQUE INDEX fhir_resources_match ON fhir_resources (resource_type, patient_scope, match_key)",
            "CREATE INDEX fhir_resources_patient ON fhir_resources (patient_scope, resource_type, effective_start)",
            "CREATE INDEX fhir_resources_encounter ON fhir_resources (encounter_ref)",
            """
            CREATE TABLE fhir_resource_versions (
                resource_type TEXT NOT NULL,
                id TEXT NOT NULL,
                version_id \(t.bigint) NOT NULL,
                last_updated \(t.bigint) NOT NULL,
                source TEXT NOT NULL,
                json TEXT NOT NULL,
                PRIMARY KEY (resource_type, id, version_id)
            )
            """,
            """
            CREATE TABLE fhir_resource_codes (
                resource_type TEXT NOT NULL,
                id TEXT NOT NULL,
                system TEXT NOT NULL,
                code TEXT NOT NULL,
                display TEXT,
                PRIMARY KEY (resource_type, id, system, code)
            )
            """,
            "CREATE INDEX fhir_resource_codes_code ON fhir_resource_codes (system, code)",
        ]
    }
}
