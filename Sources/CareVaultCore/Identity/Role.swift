/// What an account is for. A role decides which rules of the ``AuthorizationPolicy`` apply.
public enum Role: String, Sendable, Codable, CaseIterable {
    /// A person whose own health record this account opens.
    case patient
    /// A clinician of an organization: reads and writes its patients' records.
    case clinician
    /// Front-desk or records staff: registers patients and reads their records.
    case staff
    /// Manages accounts and settings; sees no clinical data.
    case admin

    /// Staff-side roles must enrol a second factor before they see any patient data.
    public var requiresSecondFactor: Bool { self != .patient }

    /// Plain-language name for pages.
    public var displayName: String {
        switch self {
        case .patient: "Patient"
        case .clinician: "Clinician"
        case .staff: "Staff"
        case .admin: "Administrator"
        }
    }
}
