/// Sign-ups by identity that wait for staff: the patient has no email address on file, so staff
/// check who the person is (by phone, in person) and then issue an activation code.
public struct IdentityChecksPage: Page {
    public static let template = "identity-checks"
    public let layout: Layout
    public let checks: [Row]
    public let isEmpty: Bool

    public struct Row: Sendable, Encodable {
        public let patientName: String
        public let mrn: String
        public let birthDate: String
        /// The address typed at sign-up: not verified, never to be trusted as the patient's.
        public let typedEmail: String
        public let requested: String
        /// The staff patient page, where a code is issued.
        public let patientLink: String
        public let dismissAction: String
    }
}
