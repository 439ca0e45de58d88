import Foundation

/// What a patient allowed images of them to be used for. Asked separately from consent to treatment;
/// refusing never affects care.
public enum ImagePurpose: String, Sendable, Hashable, CaseIterable, Codable {
    /// Their own care at the clinic.
    case care
    /// Sent to a doctor outside the clinic for advice (a share with a specialist).
    case consultation
    /// Teaching health professionals.
    case teaching
    /// Publication (a journal, a textbook), de-identified.
    case publication

    /// In plain words.
    public var plainText: String {
        switch self {
        case .care: "My own care at this clinic"
        case .consultation: "Sending to a doctor outside the clinic for advice"
        case .teaching: "Teaching doctors, nurses and students"
        case .publication: "Publishing in a journal or book, without my name"
        }
    }
}

/// A patient's recorded consent for the use of specific images (photos or scans), for some purposes,
/// signed by them; they may withdraw it at any time, which applies to every later use.
public struct ImageConsent: Sendable, Equatable {
    /// How it was given.
    public enum Source: String, Sendable, Codable {
        /// Recorded by a clinician, signed by the patient (typed name and date, or on the clinic's tablet).
        case clinician
        /// The patient's own confirmation while sharing their images.
        case shareFlow = "share-flow"
    }

    /// The statement every consent carries, word for word.
    public static let statement = "I agree that the images listed may be used for the purposes ticked. This is separate from my consent to treatment: "
        + "saying no does not change my care in any way. I can withdraw this consent at any time from my account; that applies to every later use."

    public let id: ConsentID
    public let patient: PatientID
    /// The images (`Type/id` of the record items that carry them).
    public let images: [String]
    public let purposes: Set<ImagePurpose>
    /// The name the patient typed (or signed with on the tablet).
    public let signedName: String
    /// The day signed (YYYY-MM-DD).
    public let signedOn: String
    /// Signed in the clinic on its device (rather than typed by the patient on their own).
    public let signedInClinic: Bool
    public let source: Source
    public let recordedBy: AccountID?
    public let recordedAt: Date
    public let withdrawnAt: Date?
    public let withdrawnBy: AccountID?
    /// For a consent given in the share flow: the one share it allows (nil: any use for its purposes).
    public let share: GrantID?

    public init(id: ConsentID = ConsentID(), patient: PatientID, images: [String], purposes: Set<ImagePurpose>, signedName: String, signedOn: String,
                signedInClinic: Bool, source: Source, recordedBy: AccountID?, recordedAt: Date, withdrawnAt: Date? = nil, withdrawnBy: AccountID? = nil,
                share: GrantID? = nil) {
        self.share = share
        self.id = id
        self.patient = patient
        self.images = images
        self.purposes = purposes
        self.signedName = signedName
        self.signedOn = signedOn
        self.signedInClinic = signedInClinic
        self.source = source
        self.recordedBy = recordedBy
        self.recordedAt = recordedAt
        self.withdrawnAt = withdrawnAt
        self.withdrawnBy = withdrawnBy
    }

    /// Whether it allows `image` to be used for `purpose` at `now` (not withdrawn by then), in `share`
    /// (nil: a use outside any share made so far — a consent tied to one share does not cover it).
    public func covers(_ image: String, for purpose: ImagePurpose, at now: Date, in share: GrantID? = nil) -> Bool {
        guard withdrawnAt.map({ $0 > now }) ?? true else { return false }
        if let only = self.share, only != share { return false }
        return purposes.contains(purpose) && images.contains(image)
    }

    /// The images of `wanted` that none of `consents` covers for `purpose` at `now` (outside any existing share).
    public static func uncovered(_ wanted: [String], by consents: [ImageConsent], for purpose: ImagePurpose, at now: Date) -> [String] {
        wanted.filter { image in !consents.contains { $0.covers(image, for: purpose, at: now) } }
    }
}
