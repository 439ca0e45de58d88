/// A patient's home page. The record itself (results, medications…) arrives with the health-record work.
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
    /// The newest lab results (a few), and the page with all of them.
    public let recentResults: [LabResultsPage.Row]
    public let hasResults: Bool
    public let resultsLink: String
    public let visitsLink: String
}
