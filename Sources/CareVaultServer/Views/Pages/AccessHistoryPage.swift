/// "Who has seen my record": every access to the patient's data, newest first, with who, what and on
/// which authority; filtered by dates and by person, and downloadable as CSV.
public struct AccessHistoryPage: Page {
    public static let template = "access-history"
    public let layout: Layout
    public let heading: String
    public let patientName: String
    public let errorSummary: ErrorSummary?
    public let filterAction: String
    public let from: FormField
    public let to: FormField
    public let person: SelectField
    public let entries: [Entry]
    public let isEmpty: Bool
    public let csvLink: String
    public let previousPageLink: String?
    public let nextPageLink: String?
    public let backLink: String

    /// One access.
    public struct Entry: Sendable, Encodable {
        public let time: String
        public let who: String
        public let what: String
        /// The item it was about, when it was one item the reader of this page may open.
        public let link: String?
        public let authority: String
        /// Someone was refused.
        public let isRefused: Bool
    }
}
