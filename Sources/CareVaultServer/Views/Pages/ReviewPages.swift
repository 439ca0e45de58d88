import CareVaultCore

/// What patients added that waits for a clinician of their organization, oldest first.
public struct ReviewQueuePage: Page {
    public static let template = "review-queue"
    public let layout: Layout
    public let items: [Item]
    public let isEmpty: Bool
    public let previousPageLink: String?
    public let nextPageLink: String?

    public struct Item: Sendable, Encodable {
        public let patientName: String
        public let mrn: String
        public let kind: String
        public let summary: String
        public let reason: String?
        public let status: String
        public let submitted: String
        public let link: String
    }
}

/// One contribution under review: what it is, where it came from, and the clinician's decision.
public struct ReviewItemPage: Page {
    public static let template = "review-item"
    public let layout: Layout
    public let patientName: String
    public let mrn: String
    public let kind: String
    public let status: String
    public let facts: [Fact]
    public let reason: String?
    public let recordLink: String?
    public let fileLink: String?
    /// An uploaded file's picture, so the clinician sees it without downloading it.
    public let preview: UploadPreview?
    public let errorSummary: ErrorSummary?
    public let isDecidable: Bool
    public let action: String
    public let decisions: [Choice]
    public let comment: FormField
    public let backLink: String

    public struct Fact: Sendable, Encodable {
        public let label: String
        public let value: String
    }

    public struct Choice: Sendable, Encodable {
        public let value: String
        public let text: String
        public let hint: String
        public let id: String
        public let checked: Bool
    }
}
