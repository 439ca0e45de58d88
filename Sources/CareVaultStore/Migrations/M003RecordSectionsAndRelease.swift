import CareVaultCore

/// Each resource's portal section (what list it appears in), when the patient may see it (release
/// workflow) and when the patient first opened it ("new" badges); and the release rule per section.
struct M003RecordSectionsAndRelease: Migration {
    let number = 3
    let name = "record-sections-and-release"

    func statements(for t: ColumnTypes) -> [String] {
        [
            "ALTER TABLE fhir_resources ADD COLUMN section TEXT",
            // NULL: held until a clinician releases it. Otherwise the time from which the patient sees it.
            "ALTER TABLE fhir_resources ADD COLUMN available_at \(t.bigint)",
            "ALTER TABLE fhir_resources ADD COLUMN opened_at \(t.bigint)",
            "UPDATE fhir_resources SET section = \(Self.sectionCase), available_at = last_updated",
            "CREATE INDEX fhir_resources_section ON fhir_resources (patient_scope, section, effective_start)",
            "CREATE INDEX fhir_resources_held ON fhir_resources (available_at)",
            """
            CREATE TABLE release_rules (
                section TEXT PRIMARY KEY,
                rule TEXT NOT NULL,
                delay_hours \(t.integer),
                updated_at \(t.bigint) NOT NULL,
                updated_by TEXT
            )
            """,
        ]
    }

    /// The same mapping as ``RecordSection/of(resourceType:category:)``, as SQL, for rows stored before this step.
    static var sectionCase: String {
        func list(_ values: [String]) -> String { values.map { "'\($0)'" }.joined(separator: ", ") }
        var cases = ["WHEN resource_type IN (\(list(RecordSection.unlistedTypes))) THEN NULL",
                     "WHEN resource_type = 'Observation' AND category IN (\(list(RecordSection.labCategories))) THEN 'results'",
                     "WHEN resource_type = 'Observation' THEN 'measurements'",
                     "WHEN resource_type = 'DiagnosticReport' AND category IN (\(list(RecordSection.imagingCategories))) THEN 'imaging'",
                     "WHEN resource_type = 'DiagnosticReport' AND category IN (\(list(RecordSection.labCategories))) THEN 'results'",
                     "WHEN resource_type = 'DiagnosticReport' THEN 'documents'",
                     "WHEN resource_type = 'ImagingStudy' THEN 'imaging'"]
        for section in RecordSection.allCases where ![.labs, .measurements, .imaging, .other].contains(section) {
            let types = section.resourceTypes.filter { $0 != "DiagnosticReport" }
            cases.append("WHEN resource_type IN (\(list(types))) THEN '\(section.rawValue)'")
        }
        return "CASE " + cases.joined(separator: " ") + " ELSE 'other' END"
    }
}
