import CareVaultCore

/// The clinicians' release queue: items held for sign-off, released one by one or ticked in a batch.
public struct ReleaseQueuePage: Page {
    public static let template = "release-queue"
    public let layout: Layout
    public let action: String
    public let items: [Item]
    public let isEmpty: Bool
    public let previousPageLink: String?
    public let nextPageLink: String?

    public struct Item: Sendable, Encodable {
        /// `Type/id`, the checkbox value.
        public let value: String
        public let fieldID: String
        public let patientName: String
        public let mrn: String
        public let section: String
        public let name: String
        public let date: String
        public let arrived: String
        public let link: String
    }
}

/// The administrators' page: one release rule per section of the record.
public struct ReleaseRulesPage: Page {
    public static let template = "release-rules"
    public let layout: Layout
    public let errorSummary: ErrorSummary?
    public let action: String
    public let sections: [Section]

    public struct Section: Sendable, Encodable {
        public let key: String
        public let title: String
        public let current: String
        public let rule: SelectField
        public let hours: FormField
    }
}
