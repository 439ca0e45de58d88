/// The staff page that imports FHIR R4 bundles and NDJSON files into patients' records, and the
/// result per file afterwards.
public struct ImportPage: Page {
    public static let template = "import"
    public let layout: Layout
    public let errorSummary: ErrorSummary?
    public let action: String
    /// The size limit in words ("100 MB").
    public let limit: String
    /// The error next to the file input, if any.
    public let fileError: String?
    public let results: [Result]
    public let hasResults: Bool
    /// Patient IDs whose bundle was refused because the name or birth date differ: ticked, the next
    /// import of the same file treats the record as the same person.
    public var samePersonChoices: [SamePersonChoice] = [] { didSet { hasSamePersonChoices = !samePersonChoices.isEmpty } }
    /// Stored, not computed: templates see only what the model encodes.
    public var hasSamePersonChoices = false

    /// One tick box: "Yes, patient ID 12345 is the same person".
    public struct SamePersonChoice: Sendable, Encodable {
        public let patientID: String
        public let fieldID: String
        /// "name and birth date"
        public let differences: String
    }

    /// What happened to one bundle (a file, or one patient's share of the NDJSON files).
    public struct Result: Sendable, Encodable {
        public let source: String
        public let imported: Bool
        /// Why it was refused (nothing from it was stored).
        public let error: String?
        public let patientName: String?
        public let mrn: String?
        public let patientLink: String?
        public let isNewPatient: Bool
        /// "Observation 33, Condition 3, …"
        public let counts: String?
        /// "66 new, 0 updated, 0 unchanged"
        public let changes: String?
        /// Elements R4 does not define, kept as they were ("entry 266, Observation, effectivePeriod.stop").
        public let unknownElements: [String]
        public let hasUnknownElements: Bool
        /// What a confirmed same-person import changed ("name: Ana Lima → Ana Souza").
        public var demographicChanges: [String] = [] { didSet { hasDemographicChanges = !demographicChanges.isEmpty } }
        public var hasDemographicChanges = false
    }
}
