/// A filtered, paged list of one kind of resource in a patient's record.
public struct RecordQuery: Sendable, Equatable {
    public var resourceType: String
    public var category: String?
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
    public var limit: Int
    public var offset: Int

    public init(resourceType: String, category: String? = nil, from: Int64? = nil, to: Int64? = nil,
                encounterReference: String? = nil, text: String? = nil, codeSystem: String? = nil, code: String? = nil,
                limit: Int = 50, offset: Int = 0) {
        self.resourceType = resourceType
        self.category = category
        self.from = from
        self.to = to
        self.encounterReference = encounterReference
        self.text = text
        self.codeSystem = codeSystem
        self.code = code
        self.limit = min(max(limit, 1), 500)
        self.offset = max(offset, 0)
    }
}
