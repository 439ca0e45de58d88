/// A page model turned into nested dictionaries and arrays, reflected once per render.
///
/// swift-mustache reads a struct's values through a fresh `Mirror` (and a linear search of its
/// children) for every key it looks up, at every level of the context stack; on a results page
/// that was over half of the request's CPU. A dictionary gives the same answers — a nil optional is
/// left out, so a lookup falls through to the enclosing context exactly as an unwrapped nil does —
/// at the cost of one reflection pass over the model.
enum MustacheModel {
    static func flatten(_ value: Any) -> Any {
        // Leaves, most of a page's values, are recognised by a plain cast (which also unwraps an
        // optional holding one): a Mirror each was a tenth of a results page's CPU.
        if let leaf = leaf(value) { return leaf }
        let mirror = Mirror(reflecting: value)
        switch mirror.displayStyle {
        case .struct, .class:
            var members: [String: Any] = [:]
            members.reserveCapacity(Int(mirror.children.count))
            for child in mirror.children {
                guard let label = child.label, let value = unwrapped(child.value) else { continue }
                members[label] = flatten(value)
            }
            return members
        case .collection:
            return mirror.children.map { flatten($0.value) }
        case .optional:
            return unwrapped(value).map(flatten) as Any
        default:
            return value
        }
    }

    /// The value an optional holds, nil for none; any other value as it is.
    private static func unwrapped(_ value: Any) -> Any? {
        if let leaf = leaf(value) { return leaf }
        let mirror = Mirror(reflecting: value)
        guard mirror.displayStyle == .optional else { return value }
        return mirror.children.first.flatMap { unwrapped($0.value) }
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
