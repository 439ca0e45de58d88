/// A staff member's list of the organization's patients.
public struct StaffPatientsPage: Page {
    public static let template = "staff-patients"
    public let layout: Layout
    public let query: String
    public let searchAction = Paths.staffPatients
    public let newPatientLink = Paths.staffNewPatient
    public let patients: [Row]
    public let isEmpty: Bool
    public let nextPageLink: String?
    public let previousPageLink: String?

    public struct Row: Sendable, Encodable {
        public let name: String
        public let mrn: String
        public let birthDate: String
        public let link: String
        public let hasAccount: Bool
    }
}

/// One patient, for staff: identity, account status, activation code.
public struct StaffPatientPage: Page {
    public static let template = "staff-patient"
    public let layout: Layout
    public let name: String
    public let mrn: String
    public let birthDate: String
    public let email: String
    public let hasAccount: Bool
    /// A code just issued, shown this once.
    public let newActivationCode: String?
    public let codeExpires: String?
    public let issueCodeAction: String
    public let recordLink: String
    /// Who may act for the patient (and setting up a parent's, guardian's or attorney's access).
    public let proxiesLink: String
    /// The accounting of disclosures, and recording one.
    public let disclosuresLink: String
    /// Recording a patient's consent for the use of images (clinicians).
    public let imageConsentLink: String?
    public let imageConsentsLink: String
    public let backLink = Paths.staffPatients
}
