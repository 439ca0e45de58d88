/// What an actor wants to do. Record actions concern one patient; account actions concern none.
public enum Action: String, Sendable, Hashable, CaseIterable, Codable {
    /// Open pages of the health record.
    case readRecord = "record.read"
    /// Download documents or exports of the record.
    case downloadRecord = "record.download"
    /// Add or change clinical data (clinician entries, imports, reviews).
    case writeRecord = "record.write"
    /// Add the patient's own uploads and readings.
    case contributeToRecord = "record.contribute"
    /// See who accessed the record and on what authority.
    case readAccessLog = "record.access-log"
    /// Grant, change or revoke others' access (proxies, shares).
    case manageRecordAccess = "record.manage-access"
    /// Share chosen items with someone outside the clinic for a limited time (a share link).
    case shareRecord = "record.share"
    /// Record a disclosure of the patient's information outside treatment, payment and operations.
    case recordDisclosure = "record.disclose"
    /// Register a patient record at an organization.
    case registerPatient = "patient.register"
    /// Issue a fresh activation code for a patient record.
    case issueActivationCode = "patient.issue-code"
    /// Release held results and documents to the patient (clinician sign-off).
    case releaseRecord = "record.release"
    /// Create, change or disable staff accounts.
    case manageAccounts = "accounts.manage"
    /// Set when new record items become visible to patients (release rules).
    case configureRelease = "settings.release"
    /// Set the proxy rules: which kinds of care are kept from parents of adolescents.
    case configureAccess = "settings.access"

    /// Whether the action is about one patient's record (so needs a ``PatientScope``).
    public var concernsPatient: Bool {
        switch self {
        case .manageAccounts, .configureRelease, .configureAccess: false
        default: true
        }
    }

    /// Whether the action changes the patient's record or who may open it (so a record opened for it
    /// may be written).
    public var isWrite: Bool {
        switch self {
        case .writeRecord, .contributeToRecord, .releaseRecord, .manageRecordAccess, .recordDisclosure, .shareRecord: true
        default: false
        }
    }
}
