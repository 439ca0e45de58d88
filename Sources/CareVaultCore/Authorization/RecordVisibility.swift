/// What one reader may see of a patient's record, derived once from the basis the policy allowed
/// them on. Every query of patient data takes one (there is no default), so a reader whose visibility
/// was forgotten sees nothing rather than everything.
public struct RecordVisibility: Sendable, Equatable {
    /// Which items by their release state.
    public enum Release: Sendable, Equatable {
        /// Items still held for a clinician's release too (the care team; writers).
        case includingHeld
        /// Only items released to the patient by this time (milliseconds since 1970).
        case releasedBy(Int64)
    }

    public var release: Release
    /// Categories (the stored `category` codes, e.g. `laboratory`) this reader may not see.
    public var hiddenCategories: Set<String>
    /// Codes (`system|code`, as ``FHIRIndexFields`` indexes them — concept codes, document types, security
    /// labels) that keep an item from this reader: a parent of an adolescent never sees confidential care.
    public var hiddenCodes: Set<String> = []
    /// The resource types this reader may see; nil: any type.
    public var resourceTypes: Set<String>?
    /// Exactly the items this reader may see (`Type/id`); nil: any item the other rules allow.
    public var items: Set<String>?
    /// Whether what the patient withdrew (entered in error) is still shown, marked (the care team's view).
    public var showsEnteredInError: Bool

    public init(release: Release, hiddenCategories: Set<String> = [], resourceTypes: Set<String>? = nil, items: Set<String>? = nil,
                showsEnteredInError: Bool = false) {
        self.release = release
        self.hiddenCategories = hiddenCategories
        self.resourceTypes = resourceTypes
        self.items = items
        self.showsEnteredInError = showsEnteredInError
    }

    /// The visibility of a reader allowed on `basis`, at `now` (milliseconds since 1970): the care team
    /// sees held items and withdrawn entries (marked); the patient and everyone acting for them see what
    /// has been released.
    public static func of(_ basis: Basis, at now: Int64) -> RecordVisibility {
        switch basis {
        case .careTeam: wholeRecord
        case .ownRecord, .grant, .administration: RecordVisibility(release: .releasedBy(now))
        }
    }

    /// Everything in the record, held items included: the care team's view, and what a writer (an import,
    /// a release) works on.
    public static let wholeRecord = RecordVisibility(release: .includingHeld, showsEnteredInError: true)

    /// Whether held items are shown.
    public var seesHeld: Bool { release == .includingHeld }

    /// The release time bound, if any.
    public var releasedBy: Int64? {
        if case .releasedBy(let time) = release { return time }
        return nil
    }

    /// Whether the item is visible: the check every query makes in SQL, made again on what comes back.
    public func allows(type: String, id: String, category: String?, availableAt: Int64?) -> Bool {
        if let time = releasedBy, !(availableAt.map { $0 <= time } ?? false) { return false }
        if let category, hiddenCategories.contains(category) { return false }
        if let resourceTypes, !resourceTypes.contains(type) { return false }
        if let items, !items.contains("\(type)/\(id)") { return false }
        return true
    }

    /// Whether `codes` (an item's indexed codes as `system|code`) keep it from this reader.
    public func hides(codes: some Sequence<String>) -> Bool {
        !hiddenCodes.isEmpty && codes.contains(where: hiddenCodes.contains)
    }

    /// Whether any item of `type` can be visible.
    public func allows(type: String) -> Bool {
        (resourceTypes?.contains(type) ?? true) && (items?.contains { $0.hasPrefix(type + "/") } ?? true)
    }

    /// This visibility narrowed further: `categories` hidden too, and only `types` among those allowed.
    public func narrowed(hiding categories: Set<String> = [], toTypes types: Set<String>? = nil) -> RecordVisibility {
        var result = self
        result.hiddenCategories.formUnion(categories)
        if let types { result.resourceTypes = result.resourceTypes.map { $0.intersection(types) } ?? types }
        return result
    }
}
