/// A patient's visits, newest first, filtered by date.
public struct VisitsPage: Page {
    public static let template = "visits"
    public let layout: Layout
    public let patientName: String
    public let errorSummary: ErrorSummary?
    public let filterAction: String
    public let from: FormField
    public let to: FormField
    public let query: FormField
    public let rows: [Row]
    public let isEmpty: Bool
    public let backLink: String
    public let previousPageLink: String?
    public let nextPageLink: String?

    public struct Row: Sendable, Encodable {
        public let date: String
        public let kind: String
        public let reason: String
        public let place: String
        public let link: String
    }
}

/// One visit and everything recorded in it.
public struct VisitPage: Page {
    public static let template = "visit"
    public let layout: Layout
    public let patientName: String
    public let kind: String
    public let date: String
    public let endDate: String
    public let reason: String
    public let place: String
    /// Papers from the visit with files (after-visit summary, discharge papers, reports), each downloadable here.
    public let documents: [Document]
    public let hasDocuments: Bool
    public let labRows: [LabResultsPage.Row]
    public let hasLabs: Bool
    public let items: [Item]
    public let hasItems: Bool
    public let backLink: String
    public let summaryPDFLink: String

    public struct Item: Sendable, Encodable {
        public let kind: String
        public let name: String
        public let date: String
        /// The item's own page (nil for records not listed on their own).
        public let link: String?
    }

    public struct Document: Sendable, Encodable {
        public let name: String
        public let date: String
        public let link: String
        public let files: [Link]
    }
}
