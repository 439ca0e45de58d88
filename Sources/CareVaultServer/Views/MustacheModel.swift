/// A page model turned into nested dictionaries and arrays, reflected once per render.
///
/// swift-mustache reads a struct's values through a fresh `Mirror` (and a linear search of its
/// children) for every key it looks up, at every level of the context stack; on a results page
/// that was over half of the request's CPU. A dictionary gives the same answers — a nil optional is
/// left out, so a lookup falls through to the enclosing context exactly as an unwrapped nil does —
/// at the cost of one reflection pass over the model.
enum MustacheModel {
    static func flatten(_ value: Any) -> Any {
        if let model = converted(value) { return model }
        return Optional<Any>.none as Any
    }

    /// The value as the templates read it; nil for an absent optional. Each value is reflected at
    /// most once: leaves (most of a page's values) are recognised by a plain cast, which also
    /// unwraps an optional holding one.
    private static func converted(_ value: Any) -> Any? {
        if let leaf = leaf(value) { return leaf }
        let mirror = Mirror(reflecting: value)
        switch mirror.displayStyle {
        case .optional:
            return mirror.children.first.flatMap { converted($0.value) }
        case .struct, .class:
            var members: [String: Any] = [:]
            members.reserveCapacity(Int(mirror.children.count))
            for child in mirror.children {
                guard let label = child.label, let value = converted(child.value) else { continue }
                members[label] = value
            }
            return members
        case .collection:
            return mirror.children.map { child -> Any in
                if let element = converted(child.value) { return element }
                return Optional<Any>.none as Any
            }
        default:
            return value
        }
    }

    /// A string, flag or number as itself (out of an optional too); nil for anything else.
    private static func leaf(_ value: Any) -> Any? {
        if let string = value as? String { return string }
        if let bool = value as? Bool { return bool }
        if let int = value as? Int { return int }
        if let double = value as? Double { return double }
        return nil
    }
}
