/// A page model turned into nested dictionaries and arrays, reflected once per render.
///
/// swift-mustache reads a struct's values through a fresh `Mirror` (and a linear search of its
/// children) for every key it looks up, at every level of the context stack; on a results page
/// that was over half of the request's CPU. A dictionary gives the same answers — a nil optional is
/// left out, so a lookup falls through to the enclosing context exactly as an unwrapped nil does —
/// at the cost of one reflection pass over the model.
enum MustacheModel {
    static func flatten(_ value: Any) -> Any {
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
        let mirror = Mirror(reflecting: value)
        guard mirror.displayStyle == .optional else { return value }
        return mirror.children.first.flatMap { unwrapped($0.value) }
    }
}
