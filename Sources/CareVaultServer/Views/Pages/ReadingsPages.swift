import CareVaultCore

/// The patient's home readings: each measure with its latest value, and the ways in.
public struct ReadingsPage: Page {
    public static let template = "readings"
    public let layout: Layout
    public let patientName: String
    public let measures: [Measure]
    public let importLink: String
    public let csvLink: String
    public let backLink: String

    public struct Measure: Sendable, Encodable {
        public let title: String
        public let latest: String?
        public let latestDate: String?
        public let link: String
        /// When the care team is asked to look at a reading ("below 92 %"), if ever.
        public let attention: String?
    }
}

/// One measure: its chart (the patient's and the clinic's readings, guideline bands), a form to add a
/// reading, and every reading in a table.
public struct ReadingMeasurePage: Page {
    public static let template = "reading-measure"
    public let layout: Layout
    public let patientName: String
    public let title: String
    public let errorSummary: ErrorSummary?
    public let action: String
    public let fields: [FormField]
    public let selects: [SelectField]
    public let chartSVG: String?
    public let bands: [String]
    public let hasBands: Bool
    public let attention: String?
    public let rows: [Row]
    public let isEmpty: Bool
    public let csvLink: String
    public let backLink: String

    public struct Row: Sendable, Encodable {
        public let date: String
        public let value: String
        public let context: String
        /// "You", "Clinic"…
        public let from: String
        /// Review status of the patient's own readings ("Submitted"); empty for clinic readings.
        public let status: String
        public let comment: String?
        public let needsAttention: Bool
        /// Takes back a reading the patient entered (until a clinician accepts it).
        public let removeLink: String?
    }
}

/// CSV import of readings: the format, the file field, and after a file is sent the preview of every
/// row — the ones that would be refused first, with why — and the button that stores them all.
public struct ReadingImportPage: Page {
    public static let template = "reading-import"
    public let layout: Layout
    public let patientName: String
    public let action: String
    public let fileError: String?
    public let measureNames: [String]
    public let limit: String
    public let hasPreview: Bool
    public let fileName: String
    public let rejected: [Rejected]
    public let hasRejected: Bool
    public let accepted: [Accepted]
    public let acceptedCount: Int
    public let canStore: Bool
    public let confirmAction: String
    /// The file's text, carried to the confirmation so exactly what was previewed is stored.
    public let csvText: String
    public let backLink: String

    public struct Rejected: Sendable, Encodable {
        public let line: Int
        public let text: String
        public let problems: [String]
    }

    public struct Accepted: Sendable, Encodable {
        public let line: Int
        public let measure: String
        public let date: String
        public let value: String
    }
}

/// The form a patient tells their care team about an allergy, a medicine or a condition with.
public struct ReportEntryPage: Page {
    public static let template = "report-entry"
    public let layout: Layout
    public let heading: String
    public let errorSummary: ErrorSummary?
    public let action: String
    public let name: FormField
    public let detail: FormField
    public let since: FormField
    public let backLink: String
}
