/// Patient IDs are unique only within their system: each patient keeps the system its ID came from,
/// and an organization may name the system its patient IDs are in (for bundles whose identifiers are
/// not typed MR), so an import matches on system and value, never the value alone.
struct M013PatientIDSystems: Migration {
    let number = 13
    let name = "patient-id-systems"

    func statements(for t: ColumnTypes) -> [String] {
        [
            // Empty: the ID was entered by staff without a system (it takes the first system an import brings).
            "ALTER TABLE patients ADD COLUMN mrn_system TEXT NOT NULL DEFAULT ''",
            "ALTER TABLE organizations ADD COLUMN patient_id_system TEXT",
        ]
    }
}
