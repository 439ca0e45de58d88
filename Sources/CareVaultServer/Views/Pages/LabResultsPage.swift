import CareVaultCore

/// A patient's lab results: filters, a table with ranges and flags in words, paging, CSV download.
public struct LabResultsPage: Page {
    public static let template = "lab-results"
    public let layout: Layout
    public let patientName: String
    /// "3 new results are not shown yet…", when the release rules hold some back (at most one note).
    public let pending: [PendingNote]
    public let errorSummary: ErrorSummary?
    public let filterAction: String
    public let from: FormField
    public let to: FormField
    public let visit: SelectField
    public let query: FormField
    public let rows: [Row]
    public let isEmpty: Bool
    public let csvLink: String
    public let pdfLink: String
    public let backLink: String
    public let previousPageLink: String?
    public let nextPageLink: String?

    public struct Row: Sendable, Encodable {
        public let date: String
        public let test: String
        public let value: String
        public let unit: String
        public let range: String
        public let flag: String
        public let isOutOfRange: Bool
        /// The page with this test's history, when it has a code.
        public let trendLink: String?
        /// Not seen by the patient before this page (shown to the patient only).
        public var isNew = false
        /// Still held by the release rules (shown only to clinicians, the only ones who see it).
        public var isHeld = false
    }
}

/// One test's history: a chart with the normal range, and the same values in a table.
public struct LabTrendPage: Page {
    public static let template = "lab-trend"
    public let layout: Layout
    /// The test in plain words.
    public let test: String
    /// What the lab's record calls it, when that differs from `test` (nil otherwise).
    public let recordName: String?
    public let patientName: String
    /// The chart, as SVG we generated (not user input).
    public let chartSVG: String
    /// Whether the chart shows a normal-range band (so the page explains it).
    public let hasNormalRange: Bool
    public let rows: [LabResultsPage.Row]
    public let backLink: String
}


extension LabResultsPage.Row {
    init(_ r: LabResult, patient: PatientID? = nil, isNew: Bool = false, isHeld: Bool = false) {
        self.init(date: r.effective.map(PlainDate.day) ?? "", test: r.name, value: FHIRText.readableNumber(r.value), unit: UnitWords.readable(r.unit),
                  range: r.range, flag: r.flag.rawValue, isOutOfRange: ![.normal, .unknown].contains(r.flag),
                  trendLink: patient.flatMap { p in r.code.map { Paths.labTrend(p.description, system: r.codeSystem, code: $0) } },
                  isNew: isNew, isHeld: isHeld)
    }
}
