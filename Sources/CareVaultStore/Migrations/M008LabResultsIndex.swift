/// An index for lists by kind and category (lab results are Observations of category "laboratory").
/// Without it the results page walked every Observation of the patient, vital signs and all, reading
/// each row past its JSON to find the category: the work grew with the whole record, not the page.
struct M008LabResultsIndex: Migration {
    let number = 8
    let name = "lab-results-index"

    func statements(for t: ColumnTypes) -> [String] {
        ["CREATE INDEX fhir_resources_category ON fhir_resources (patient_scope, resource_type, category, effective_start)"]
    }
}
