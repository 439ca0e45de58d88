/// A JSON value that round-trips losslessly: object keys keep their order and numbers keep their
/// exact text. FHIR needs both — a decimal's precision is part of its value (`1.50` is not `1.5`) —
/// and Foundation's JSON types keep neither, which is why this small parser exists.
public indirect enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// The number exactly as written.
    case number(String)
    case string(String)
    case array([JSONValue])
    /// Members in document order.
    case object([(key: String, value: JSONValue)])

    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): true
        case (.bool(let x), .bool(let y)): x == y
        case (.number(let x), .number(let y)): x == y
        case (.string(let x), .string(let y)): x == y
        case (.array(let x), .array(let y)): x == y
        case (.object(let x), .object(let y)): x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: false
        }
    }

    /// The member `key` of an object.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// Sets (or appends) the member `key` of an object; no effect on other values.
    public mutating func set(_ key: String, _ value: JSONValue) {
        guard case .object(var members) = self else { return }
        if let index = members.firstIndex(where: { $0.key == key }) {
            members[index].value = value
        } else {
            members.append((key, value))
        }
        self = .object(members)
    }

    /// Removes the member `key` of an object; no effect on other values.
    public mutating func remove(_ key: String) {
        guard case .object(let members) = self else { return }
        self = .object(members.filter { $0.key != key })
    }

    /// Applies `transform` to every string found under a member named `key`, at any depth.
    public func mapStrings(underKey key: String, _ transform: (String) -> String) -> JSONValue {
        switch self {
        case .array(let items):
            return .array(items.map { $0.mapStrings(underKey: key, transform) })
        case .object(let members):
            return .object(members.map { member in
                if member.key == key, case .string(let s) = member.value { return (member.key, .string(transform(s))) }
                return (member.key, member.value.mapStrings(underKey: key, transform))
            })
        default:
            return self
        }
    }
}
