/// Everything a patient shared, with what, for whom, until when and how often it was opened, and the
/// button that ends each share.
public struct SharesPage: Page {
    public static let template = "shares"
    public let layout: Layout
    public let heading: String
    public let newLink: String?
    public let rows: [Row]
    public let hasRows: Bool
    public let backLink: String

    public struct Row: Sendable, Encodable {
        public let label: String
        /// "3 test results and 1 visit".
        public let what: String
        public let created: String
        public let ends: String
        /// "Active", "Ended: you ended it", "Locked after 5 wrong codes"…
        public let status: String
        /// "Opened 2 times, last on 3 December 2026" or "Not opened yet".
        public let opened: String
        public let options: String
        public let revokeAction: String?
    }
}

/// The form that chooses what to share and how: sections, visits, single items, a date range, the
/// label and note, how long, once only, downloads, a birth-date check, a SMART Health Link.
public struct ShareFormPage: Page {
    public static let template = "share-form"
    public let layout: Layout
    public let heading: String
    public let errorSummary: ErrorSummary?
    public let action: String
    public let what: [ChoiceGroup]
    public let from: FormField
    public let to: FormField
    public let fields: [FormField]
    public let options: ChoiceGroup
    public let backLink: String
}

/// Exactly what the recipient will see, before anything is created, with the choices carried on to
/// the button that creates the share.
public struct SharePreviewPage: Page {
    public static let template = "share-preview"
    public let layout: Layout
    public let heading: String
    public let errorSummary: ErrorSummary?
    public let groups: [Group]
    public let facts: [Fact]
    /// "2 items about sensitive kinds of care are left out. …"
    public let leftOut: String?
    public let tooMany: String?
    /// The photos and scans in the share, and the questions they raise (agreement, burned-in text, dates).
    public let images: [Image]
    public let hasImages: Bool
    public let questions: [ChoiceGroup]
    public let action: String
    public let hidden: [HiddenField]
    public let changeLink: String

    public struct Image: Sendable, Encodable {
        public let title: String
        /// "Photo", "Scan (CT, 512 × 512, 1 frame)".
        public let kind: String
        /// Its kind often carries text burned into the picture: the sender must look.
        public let mayShowText: Bool
    }

    public struct Group: Sendable, Encodable {
        public let title: String
        public let items: [Item]
    }

    public struct Item: Sendable, Encodable {
        public let name: String
        public let date: String
        public let kind: String
    }

    public struct Fact: Sendable, Encodable {
        public let label: String
        public let value: String
    }
}

/// The share, made: its link, its access code (to give separately), QR codes, shown once.
public struct ShareCreatedPage: Page {
    public static let template = "share-created"
    public let layout: Layout
    public let label: String
    public let link: String
    public let code: String
    public let ends: String
    public let qrSVG: String
    public let healthLink: String?
    public let healthLinkQRSVG: String?
    public let sharesLink: String
}

/// The shared record as its recipient reads it: whose, for whom, until when, the note, then each group.
public struct SharedRecordPage: Page {
    public static let template = "shared-record"
    public let layout: Layout
    public let patientName: String
    public let birthDate: String
    public let label: String
    public let note: String?
    public let ends: String
    public let groups: [Group]
    public let pdfLink: String?
    public let fhirLink: String?
    public let leaveAction: String

    public struct Group: Sendable, Encodable {
        public let title: String
        public let items: [Item]
    }

    public struct Item: Sendable, Encodable {
        public let name: String
        public let date: String
        public let kind: String
        public let summary: String
        public let link: String
    }
}

/// One shared item, read-only, with its files when downloads are allowed.
public struct SharedItemPage: Page {
    public static let template = "shared-item"
    public let layout: Layout
    public let patientName: String
    public let name: String
    public let kind: String
    public let date: String
    public let status: String?
    public let details: [Detail]
    public let attachments: [Attachment]
    public let hasAttachments: Bool
    public let filesWithheld: Bool
    /// A scan's summary ("CT, 512 × 512, 1 frame"), and a photo's scaled preview.
    public let scanSummary: String?
    public let previewLink: String?
    public let backLink: String

    public struct Detail: Sendable, Encodable {
        public let label: String
        public let value: String
    }

    public struct Attachment: Sendable, Encodable {
        public let title: String
        public let kind: String
        public let link: String
    }
}

/// A patient's consents for the use of their images, each with its images, purposes and signature,
/// a PDF copy, and the button that withdraws it.
public struct ImageConsentsPage: Page {
    public static let template = "image-consents"
    public let layout: Layout
    public let heading: String
    public let consents: [Row]
    public let hasConsents: Bool
    public let backLink: String

    public struct Row: Sendable, Encodable {
        public let id: String
        public let images: [String]
        public let purposes: [String]
        public let signed: String
        public let status: String
        public let copyLink: String
        public let withdrawAction: String?
    }
}

/// The clinician's form recording a patient's consent for the use of images: which images (with
/// previews of photos), which purposes, the statement, and the patient's signature.
public struct ImageConsentFormPage: Page {
    public static let template = "image-consent-form"
    public let layout: Layout
    public let heading: String
    public let errorSummary: ErrorSummary?
    public let action: String
    public let statement: String
    public let images: [ImageChoice]
    public let hasImages: Bool
    public let imagesError: String?
    public let purposes: ChoiceGroup
    public let fields: [FormField]
    public let inClinic: ChoiceGroup
    public let backLink: String

    public struct ImageChoice: Sendable, Encodable {
        public let id: String
        public let value: String
        public let title: String
        public let kind: String
        public let preview: String?
        public let checked: Bool
    }
}
