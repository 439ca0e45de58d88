/// A set of checkboxes or radio buttons under one question, with its hint and error.
public struct ChoiceGroup: Sendable, Encodable {
    public struct Choice: Sendable, Encodable {
        public let id: String
        public let value: String
        public let label: String
        public let hint: String?
        public let checked: Bool
    }

    /// The first choice's id: where the error summary's link lands.
    public let id: String
    public let name: String
    public let legend: String
    public let hint: String?
    public let error: String?
    /// `checkbox` or `radio`.
    public let type: String
    public let choices: [Choice]

    public init(name: String, legend: String, hint: String? = nil, error: String? = nil, type: String = "checkbox",
                choices: [(value: String, label: String, hint: String?, checked: Bool)]) {
        self.id = "field-" + name
        self.name = name
        self.legend = legend
        self.hint = hint
        self.error = error
        self.type = type
        self.choices = choices.enumerated().map { index, choice in
            Choice(id: index == 0 ? "field-" + name : "field-\(name)-\(index)", value: choice.value, label: choice.label, hint: choice.hint,
                   checked: choice.checked)
        }
    }
}

/// Everyone with proxy access to a patient's record (or invited to it), with what each may do and
/// until when, and the buttons to change, renew or end it.
public struct ProxiesPage: Page {
    public static let template = "proxies"
    public let layout: Layout
    public let heading: String
    public let patientName: String
    public let inviteLink: String?
    public let grants: [Row]
    public let hasGrants: Bool
    public let backLink: String

    /// One grant.
    public struct Row: Sendable, Encodable {
        public let name: String
        public let email: String
        public let relationship: String
        /// What it allows, in plain words.
        public let scopes: [String]
        /// "Active", "Invited — waiting for them to accept", "Ended: revoked"…
        public let status: String
        public let since: String
        public let ends: String
        public let lastUsed: String
        /// Staff set it up after checking this document.
        public let document: String?
        public let editLink: String?
        public let renewAction: String?
        public let revokeAction: String?
        public let revokeLabel: String
        /// Whether it ends within 30 days (the page says so).
        public let endsSoon: Bool
        /// For a clinician, a parent's grant of an adolescent: the form that widens it with the young
        /// person's agreement (the grant's id makes its fields' ids unique on the page).
        public let widenAction: String?
        public let grantID: String
        /// "Widened until 3 December 2027, as agreed: …"
        public let widened: String?
    }
}

/// The form that offers proxy access (the patient inviting a caregiver, or staff setting up a parent,
/// guardian or attorney), and the form that changes a grant.
public struct ProxyFormPage: Page {
    public static let template = "proxy-form"
    public let layout: Layout
    public let heading: String
    public let intro: [String]
    public let errorSummary: ErrorSummary?
    public let action: String
    public let fields: [FormField]
    public let selects: [SelectField]
    public let groups: [ChoiceGroup]
    public let documentFields: [FormField]
    public let hasDocumentFields: Bool
    public let submitLabel: String
    public let backLink: String
}

/// An invitation as the invited person sees it: who offers what, the terms, and (when signed in) the
/// proof and agreement that accept it.
public struct ProxyInvitationPage: Page {
    public static let template = "proxy-invitation"
    public let layout: Layout
    public let heading: String
    public let intro: String
    public let scopes: [String]
    public let terms: String
    public let errorSummary: ErrorSummary?
    /// Signed in as the right person: the form that accepts.
    public let acceptAction: String?
    public let proof: FormField?
    public let agreeError: String?
    /// Not signed in: where to sign in or sign up first.
    public let signInLink: String?
    public let signUpLink: String?
}

/// The records this person may open: their own, and each they hold proxy access to.
public struct RecordsPage: Page {
    public static let template = "records"
    public let layout: Layout
    public let records: [Entry]
    public let isEmpty: Bool

    public struct Entry: Sendable, Encodable {
        public let name: String
        public let link: String?
        /// "Your own record", or "Your access as caregiver: see the record, download… Ends 3 December 2027."
        public let description: String
        public let giveUpAction: String?
    }
}

/// The clinic's proxy rules: each confidential kind of care (whether it applies, and its codes), and
/// whether clinical notes are hidden from parents.
public struct ProxyRulesPage: Page {
    public static let template = "proxy-rules"
    public let layout: Layout
    public let errorSummary: ErrorSummary?
    public let action: String
    public let adolescentAge: String
    public let categories: [Category]
    public let hidesClinicalNotes: Bool

    public struct Category: Sendable, Encodable {
        public let name: String
        public let appliesField: String
        public let codesField: String
        public let applies: Bool
        public let codes: String
        public let error: String?
    }
}

/// The accounting of disclosures: every disclosure outside treatment, payment and operations in the
/// last six years — when, to whom, what and why — with CSV and PDF copies.
public struct DisclosuresPage: Page {
    public static let template = "disclosures"
    public let layout: Layout
    public let heading: String
    public let patientName: String
    public let since: String
    public let rows: [Row]
    public let isEmpty: Bool
    public let csvLink: String
    public let pdfLink: String
    /// For staff: the form that records a new one.
    public let newLink: String?
    public let backLink: String

    public struct Row: Sendable, Encodable {
        public let date: String
        public let recipient: String
        public let what: String
        public let purpose: String
        public let recordedBy: String
    }
}
