import Foundation

/// What a patient shared with someone outside the clinic — a specialist, a second opinion, an
/// emergency abroad: exactly these items, to whoever holds the link and its access code, until it
/// ends. A share is one more kind of reader of the record (``AccessGrant/Kind/shareLink``), whose
/// visibility lists exactly the shared items.
public struct ShareLink: Sendable, Equatable {
    /// How long a share lasts unless the patient chooses otherwise, and the longest it may.
    public static let defaultDays = 7
    public static let maximumDays = 90
    /// Wrong codes (or birth dates) a share takes over its whole life before it locks.
    public static let attemptLimit = 5
    /// How long a recipient who entered the code may read before entering it again.
    public static let sessionMinutes = 30
    /// The most items one share may name.
    public static let maximumItems = 500

    public let id: GrantID
    public let patient: PatientID
    /// "For Dr Okafor, cardiology": how the patient and the history name it.
    public let label: String
    /// A note to the recipient, shown above what was shared.
    public let note: String?
    /// Exactly what is shared (`Type/id`).
    public let items: [String]
    public let createdAt: Date
    public let expiresAt: Date
    /// Whether only one opening (one code entry) is allowed.
    public let onceOnly: Bool
    /// Whether the recipient may download (originals, PDF, FHIR).
    public let allowsDownload: Bool
    /// Whether the recipient must also give the patient's birth date.
    public let asksBirthDate: Bool
    public let revokedAt: Date?
    /// When too many wrong codes locked it.
    public let lockedAt: Date?
    /// How often it was opened (right code entered), and when first and last.
    public let openedCount: Int
    public let firstOpenedAt: Date?
    public let lastOpenedAt: Date?
    /// Whether scans (DICOM) keep their real dates when they leave; otherwise dates move by the share's shift.
    public let keepsScanDates: Bool

    public init(id: GrantID = GrantID(), patient: PatientID, label: String, note: String?, items: [String], createdAt: Date, expiresAt: Date,
                onceOnly: Bool, allowsDownload: Bool, asksBirthDate: Bool, revokedAt: Date? = nil, lockedAt: Date? = nil, openedCount: Int = 0,
                firstOpenedAt: Date? = nil, lastOpenedAt: Date? = nil, keepsScanDates: Bool = false) {
        self.keepsScanDates = keepsScanDates
        self.id = id
        self.patient = patient
        self.label = label
        self.note = note
        self.items = items
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.onceOnly = onceOnly
        self.allowsDownload = allowsDownload
        self.asksBirthDate = asksBirthDate
        self.revokedAt = revokedAt
        self.lockedAt = lockedAt
        self.openedCount = openedCount
        self.firstOpenedAt = firstOpenedAt
        self.lastOpenedAt = lastOpenedAt
    }

    /// Why a share no longer opens.
    public enum EndReason: String, Sendable, Equatable {
        case revoked, expired
        /// Too many wrong codes.
        case locked
        /// A once-only share that was opened.
        case used
        /// Made by a proxy whose access has since ended or no longer allows sharing (judged when used, never stored).
        case sharerLostAccess = "sharer-lost-access"
    }

    /// Why the share has ended at `now`, or nil while it is in force. A once-only share that was opened
    /// still serves the session its opening started (the door judges that session's reads with
    /// ``grantEnded(at:)``, which leaves `used` out).
    public func ended(at now: Date) -> EndReason? {
        if let reason = grantEnded(at: now) { return reason }
        if onceOnly && firstOpenedAt != nil { return .used }
        return nil
    }

    /// Why reading under the share is over at `now` (revoked, expired, locked), or nil.
    public func grantEnded(at now: Date) -> EndReason? {
        if let revokedAt, revokedAt <= now { return .revoked }
        if let lockedAt, lockedAt <= now { return .locked }
        if expiresAt <= now { return .expired }
        return nil
    }

    /// The actions a recipient may take: read, and download if the patient allowed it.
    public var actions: Set<Action> { allowsDownload ? [.readRecord, .downloadRecord] : [.readRecord] }

    /// When a share made at `now` for `days` days ends (1 to ``maximumDays``).
    public static func end(days: Int, from now: Date) -> Date {
        now.addingTimeInterval(TimeInterval(min(max(days, 1), maximumDays)) * 86_400)
    }
}
