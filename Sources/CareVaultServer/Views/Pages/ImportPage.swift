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
    }
}
