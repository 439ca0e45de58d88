/// A part of the health record as a patient finds it in the portal ("Medicines", "Allergies", …):
/// which stored resources it lists, its plain-language names, and its release category.
public enum RecordSection: String, Sendable, CaseIterable, Codable {
    case labs = "results"
    case measurements
    case imaging
    case documents
    case medications
    case immunizations
    case allergies
    case problems
    case procedures
    case carePlans = "care-plans"
    case other

    /// Resource types the portal never lists on their own: the patient, visits (their own page),
    /// the people and places records point to, and the bookkeeping of imports.
    public static let unlistedTypes: [String] = ["Patient", "Encounter", "Provenance", "Binary", "Practitioner", "PractitionerRole",
                                                 "Organization", "Location", "Medication", "Endpoint", "Substance", "HealthcareService"]
    /// Category codes that mark an imaging report (HL7 v2-0074 RAD and friends, LOINC radiology).
    public static let imagingCategories = ["RAD", "CT", "MR", "US", "NMR", "XRC", "VUS", "LP29684-5", "18748-4", "imaging"]
    /// Category codes that mark a lab report or lab observation.
    public static let labCategories = ["LAB", "laboratory", "HM", "SP", "CH", "MB", "BLB", "HEM", "IMM", "SR", "CP"]

    /// The section's title ("Medicines").
    public var title: String {
        switch self {
        case .labs: "Test results"
        case .measurements: "Measurements"
        case .imaging: "Imaging reports"
        case .documents: "Documents and notes"
        case .medications: "Medicines"
        case .immunizations: "Vaccinations"
        case .allergies: "Allergies"
        case .problems: "Problems and diagnoses"
        case .procedures: "Procedures"
        case .carePlans: "Care plans and goals"
        case .other: "Other records"
        }
    }

    /// One sentence saying what is in the section, for people who do not know the medical word.
    public var explanation: String {
        switch self {
        case .labs: "Results of blood, urine and other tests."
        case .measurements: "Blood pressure, weight, height and other measurements taken at visits, and answers to health questions."
        case .imaging: "Reports on X-rays, scans and ultrasounds, written by the doctor who read the images."
        case .documents: "Visit summaries, discharge papers, letters and clinical notes."
        case .medications: "Medicines you were prescribed or told your clinic you take."
        case .immunizations: "Vaccines you were given."
        case .allergies: "Allergies and reactions to medicines, foods and other things."
        case .problems: "Health problems and diagnoses your care team has recorded."
        case .procedures: "Operations, treatments and other procedures done for you."
        case .carePlans: "Plans and goals you and your care team agreed on, and who is on your care team."
        case .other: "Everything else in your record, such as billing records and devices."
        }
    }

    /// What the list calls one item when the list is empty ("No medicines match.").
    public var emptyText: String {
        switch self {
        case .other: "No other records match."
        default: "Nothing here matches. Try a wider date range or fewer words."
        }
    }

    /// The stored resource types it lists; empty for ``other``, which lists everything no section claims.
    public var resourceTypes: [String] {
        switch self {
        case .labs, .measurements: ["Observation"]
        case .imaging: ["DiagnosticReport", "ImagingStudy"]
        case .documents: ["DocumentReference", "DiagnosticReport"]
        case .medications: ["MedicationRequest", "MedicationStatement", "MedicationAdministration", "MedicationDispense"]
        case .immunizations: ["Immunization"]
        case .allergies: ["AllergyIntolerance"]
        case .problems: ["Condition"]
        case .procedures: ["Procedure"]
        case .carePlans: ["CarePlan", "Goal", "CareTeam"]
        case .other: []
        }
    }

    /// Every type some section other than ``other`` lists, plus the unlisted ones.
    public static var claimedTypes: [String] {
        Array(Set(allCases.flatMap(\.resourceTypes) + unlistedTypes)).sorted()
    }

    /// The section a stored resource appears in, or nil when it is not listed on its own (a visit, a practitioner…).
    public static func of(resourceType: String, category: String?) -> RecordSection? {
        if unlistedTypes.contains(resourceType) { return nil }
        switch resourceType {
        case "Observation":
            return category.map { labCategories.contains($0) } == true ? .labs : .measurements
        case "DiagnosticReport":
            if let category, imagingCategories.contains(category) { return .imaging }
            if let category, labCategories.contains(category) { return .labs }
            return .documents
        case "ImagingStudy": return .imaging
        default:
            return allCases.first { $0 != .other && $0.resourceTypes.contains(resourceType) } ?? .other
        }
    }
}
