import CareVaultCore

/// A filtered, paged list of a patient's resources: one type, or one portal section.
public struct RecordQuery: Sendable, Equatable {
    /// Only this resource type (nil: any type of the section).
    public var resourceType: String?
    /// Only resources listed in this portal section.
    public var section: RecordSection?
    public var category: String?
    /// Only resources with this status (for conditions and allergies, their clinical status).
    public var status: String?
    /// Only what happened in this range (milliseconds since 1970 UTC, inclusive); overlaps count.
    public var from: Int64?
    public var to: Int64?
    /// Only resources of this encounter (`Encounter/…`).
    public var encounterReference: String?
    /// Words to find in the codes' display text or the codes themselves.
    public var text: String?
    /// Only resources coded with this system and code (one test's history).
    public var codeSystem: String?
    public var code: String?
    /// What the reader may see: required, so no query reads a record without saying for whom.
    public let visibility: RecordVisibility
    /// Only what the patient's side provided, or only what the clinic did (nil: both).
    public var patientProvided: Bool?
    public var limit: Int
    public var offset: Int

    public init(visibility: RecordVisibility, resourceType: String? = nil, section: RecordSection? = nil, category: String? = nil, from: Int64? = nil,
                to: Int64? = nil, encounterReference: String? = nil, text: String? = nil, codeSystem: String? = nil,
                code: String? = nil, status: String? = nil, limit: Int = 50, offset: Int = 0) {
        self.resourceType = resourceType
        self.section = section
        self.category = category
        self.from = from
        self.to = to
        self.encounterReference = encounterReference
        self.text = text
        self.codeSystem = codeSystem
        self.code = code
        self.status = status
        self.visibility = visibility
        self.limit = min(max(limit, 1), 500)
        self.offset = max(offset, 0)
    }
}
