import CareVaultCore

/// A drop-down list in a form (no JavaScript needed).
public struct SelectField: Sendable, Encodable {
    public struct Option: Sendable, Encodable {
        public let value: String
        public let text: String
        public let selected: Bool
    }

    public let id: String
    public let name: String
    public let label: String
    public let options: [Option]
    public let error: String?

    public init(name: String, label: String, options: [Option], error: String? = nil) {
        self.id = "field-" + name
        self.name = name
        self.label = label
        self.options = options
        self.error = error
    }
}

/// What the patient cannot see yet in a section, said without revealing what it is.
public struct PendingNote: Sendable, Encodable {
    public let text: String
}

/// One section of the record (medicines, allergies, documents…): filters, a list, paging.
public struct RecordListPage: Page {
    public static let template = "record-list"
    public let layout: Layout
    public let patientName: String
    public let heading: String
    public let explanation: String
    public let errorSummary: ErrorSummary?
    public let filterAction: String
    public let from: FormField
    public let to: FormField
    public let query: FormField
    public let visit: SelectField
    public let pending: [PendingNote]
    public let rows: [Row]
    public let isEmpty: Bool
    public let emptyText: String
    /// What the patient told the care team themself, listed apart (allergies, medicines, problems).
    public let reportedRows: [Row]
    public let hasReported: Bool
    /// "What you told us" (to the patient), "What the patient reported" (to clinicians).
    public let reportedHeading: String
    /// "Tell your care team about an allergy", where the section takes patient reports.
    public let reportLink: Link?
    public let backLink: String
    public let previousPageLink: String?
    public let nextPageLink: String?

    public struct Row: Sendable, Encodable {
        public let date: String
        public let name: String
        public let status: String
        public let summary: String
        public let link: String
        /// Not opened by the patient yet.
        public let isNew: Bool
        /// Held from the patient (shown to clinicians only).
        public let isHeld: Bool
        public let hasAttachment: Bool
        /// Where it came from ("From your clinic", "Added by you").
        public let origin: String
        /// Where a patient's contribution stands ("Verified by Dr Lee on 2026-11-20", "Submitted").
        public let review: String?
        /// Takes back what the patient reported (until a clinician accepts it).
        public let removeLink: String?
    }
}

/// One record item on its own page: what it says, where it came from, its files and downloads.
public struct RecordItemPage: Page {
    public static let template = "record-item"
    public let layout: Layout
    public let patientName: String
    public let sectionTitle: String
    public let sectionLink: String
    public let name: String
    public let kind: String
    public let date: String
    public let status: String?
    public let details: [RecordEntry.Detail]
    public let attachments: [Attachment]
    public let hasAttachments: Bool
    /// Addresses of files the record points to in another system (not fetched, not downloadable here).
    public let externalFiles: [String]
    public let hasExternalFiles: Bool
    /// Where it came from, in words ("Imported from hospital-export.json").
    public let source: String
    /// For what the patient's side added: where it stands with the care team ("Verified by …").
    public let review: String?
    public let lastUpdated: String
    public let version: String
    public let visitLink: String?
    public let fhirLink: String
    public let isHeld: Bool
    /// Sharing this item with a doctor outside the clinic (for readers who may share).
    public let shareLink: String?

    public struct Attachment: Sendable, Encodable {
        public let title: String
        public let kind: String
        public let size: String
        public let link: String
    }
}
