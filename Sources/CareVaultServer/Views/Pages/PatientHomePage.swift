/// A patient's home page: what is new, the latest results, active medicines, allergies and problems,
/// and a way into every part of the record.
public struct PatientHomePage: Page {
    public static let template = "patient-home"
    public let layout: Layout
    public let patientName: String
    public let birthDate: String
    public let mrn: String
    /// Shown to patients who have not turned on two-step sign-in.
    public let suggestTwoFactor: Bool
    public let twoFactorLink = Paths.twoFactor
    /// Shown when a clinician or staff member is looking at a patient's page.
    public let viewedByStaff: Bool
    /// Sections with items the patient has not opened yet ("3 new in Documents and notes").
    public let newItems: [Link]
    public let hasNewItems: Bool
    /// What is waiting to be released, without contents.
    public let pending: [PendingNote]
    /// The newest lab results (a few), and the page with all of them.
    public let recentResults: [LabResultsPage.Row]
    public let hasResults: Bool
    public let resultsLink: String
    public let medications: [Link]
    public let hasMedications: Bool
    public let medicationsLink: String
    public let allergies: [Link]
    public let hasAllergies: Bool
    public let allergiesLink: String
    public let problems: [Link]
    public let hasProblems: Bool
    public let problemsLink: String
    /// Every part of the record.
    public let sections: [Link]
    public let visitsLink: String
    public let everythingLink: String
    public let healthSummaryLink: String
    /// The whole record as one ZIP.
    public let exportLink: String
    /// Whether this reader may download (a proxy may not have been given that).
    public let showsDownloads: Bool
    /// "Who has seen my record" (nil for a reader not allowed it).
    public let accessHistoryLink: String?
    /// Who may act for the patient, and the way to invite someone (nil for a reader not allowed it).
    public let proxiesLink: String?
    /// The accounting of disclosures (with the access history).
    public let disclosuresLink: String?
    /// The patient's shares with people outside the clinic (nil for a reader not allowed to share).
    public let sharesLink: String?
    /// The patient's consents for the use of their images.
    public let imageConsentsLink: String?
    public let hasPrivacyLinks: Bool
}
