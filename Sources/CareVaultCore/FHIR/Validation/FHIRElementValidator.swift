/// Checks a resource element by element against the FHIR R4 definitions: every known element has
/// the right shape (one value or a list), the right primitive format (dates, codes, numbers…),
/// required elements are present and a choice (`value[x]`) is given at most once.
///
/// Elements R4 does not define are not errors: CareVault preserves them unchanged (real exports
/// carry them) and reports them, so that an import can say what it kept without understanding.
public struct FHIRElementValidator: Sendable {
    /// A problem at a path such as `component[1].valueQuantity.value`.
    public struct Issue: Sendable, Equatable, CustomStringConvertible {
        public let path: String
        public let message: String
        public var description: String { "\(path): \(message)" }
    }

    /// What checking one resource found.
    public struct Report: Sendable {
        /// Invalid elements; the resource must not be stored.
        public var errors: [Issue] = []
        /// Paths of elements R4 does not define (kept as they are).
        public var unknownElements: [String] = []
    }

    let definitions: FHIRDefinitions

    public init(definitions: FHIRDefinitions = .r4) { self.definitions = definitions }

    /// Checks a whole resource (its `resourceType` names the definition used).
    public func check(resource: JSONValue) -> Report {
        var walk = Walk(definitions: definitions)
        walk.checkResource(resource)
        return walk.report
    }
}

/// One validation pass. The path is kept as a stack of parts and joined only when something is
/// reported, since almost every element is fine.
private struct Walk {
    enum Part { case key(String), index(Int) }

    let definitions: FHIRDefinitions
    var report = FHIRElementValidator.Report()
    var trail: [Part] = []

    init(definitions: FHIRDefinitions) { self.definitions = definitions }

    var path: String {
        var text = ""
        for part in trail {
            switch part {
            case .key(let key): text += text.isEmpty ? key : "." + key
            case .index(let i): text += "[\(i)]"
            }
        }
        return text
    }

    mutating func error(_ message: String, at extra: String? = nil) {
        let base = path
        let full = extra.map { base.isEmpty ? $0 : "\(base).\($0)" } ?? (base.isEmpty ? "resource" : base)
        report.errors.append(.init(path: full, message: message))
    }

    mutating func unknown(_ key: String) {
        let base = path
        report.unknownElements.append(base.isEmpty ? key : "\(base).\(key)")
    }

    mutating func checkResource(_ value: JSONValue) {
        guard case .object = value else { return error("must be a resource (a JSON object)") }
        guard let type = value["resourceType"]?.stringValue else { return error("is missing", at: "resourceType") }
        guard definitions.resourceTypes.contains(type) else {
            let base = path
            report.unknownElements.append(base.isEmpty ? "resourceType \(type)" : "\(base) (resourceType \(type))")
            return
        }
        checkComplex(value, type: type, isResource: true)
    }

    mutating func checkComplex(_ value: JSONValue, type: String, isResource: Bool) {
        guard case .object(let members) = value else { return error("must be an object") }
        guard let elements = definitions.elements(of: type) else { return }
        if members.isEmpty { return error("is empty (leave it out instead)") }
        let required = definitions.required[type]
        var presentRequired = 0
        var choices: [String: [String]] = [:]
        var requiredChoicesSeen = Set<String>()
        for (key, member) in members {
            if isResource && key == "resourceType" { continue }
            if key.utf8.first == UInt8(ascii: "_"), key.utf8.count > 1 {
                let base = String(key.dropFirst())
                guard let element = elements[base], element.isPrimitive else { unknown(key); continue }
                if element.isRequired, !members.contains(where: { $0.key == base }) { presentRequired += 1 }
                trail.append(.key(key))
                checkPrimitiveExtension(member, element: element)
                trail.removeLast()
                continue
            }
            guard let element = elements[key] else { unknown(key); continue }
            if element.isRequired { presentRequired += 1 }
            if let group = element.choiceGroup {
                choices[group, default: []].append(key)
                if element.isChoiceRequired { requiredChoicesSeen.insert(group) }
            }
            trail.append(.key(key))
            if element.isArray {
                if case .array(let items) = member {
                    if items.isEmpty { error("is an empty list (leave it out instead)") }
                    for (i, item) in items.enumerated() {
                        // A null in a list of primitives stands beside an extension in the matching `_x` list.
                        if item == .null && element.isPrimitive && members.contains(where: { $0.key == "_" + key }) { continue }
                        trail.append(.index(i))
                        checkValue(item, element: element)
                        trail.removeLast()
                    }
                } else {
                    error("must be a list")
                }
            } else if case .array = member {
                error("must be a single value, not a list")
            } else {
                checkValue(member, element: element)
            }
            trail.removeLast()
        }
        for (group, keys) in choices where keys.count > 1 {
            error("is given more than once (\(keys.sorted().joined(separator: ", ")))", at: group + "[x]")
        }
        if let required {
            if presentRequired < required.elements.count {
                for name in required.elements where !members.contains(where: { $0.key == name || $0.key == "_" + name }) {
                    error("is required", at: name)
                }
            }
            for group in required.choices where !requiredChoicesSeen.contains(group) {
                error("is required", at: group + "[x]")
            }
        }
    }

    mutating func checkValue(_ value: JSONValue, element: FHIRDefinitions.Element) {
        if element.isPrimitive {
            if let problem = FHIRPrimitiveFormat.problem(with: value, as: element.type) { error(problem) }
        } else if element.type == "Resource" {
            checkResource(value)
        } else {
            checkComplex(value, type: element.type, isResource: false)
        }
    }

    /// `_birthDate: {…}` (or a list of them, with nulls, for a list of primitives) holds an id and extensions.
    mutating func checkPrimitiveExtension(_ value: JSONValue, element: FHIRDefinitions.Element) {
        if element.isArray, case .array(let items) = value {
            for (i, item) in items.enumerated() where item != .null {
                trail.append(.index(i))
                checkComplex(item, type: "Element", isResource: false)
                trail.removeLast()
            }
        } else {
            checkComplex(value, type: "Element", isResource: false)
        }
    }
}
