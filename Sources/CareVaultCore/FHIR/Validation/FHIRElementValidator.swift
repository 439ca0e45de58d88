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
        var report = Report()
        checkResource(resource, path: "", into: &report)
        return report
    }

    private func checkResource(_ value: JSONValue, path: String, into report: inout Report) {
        guard case .object = value else {
            report.errors.append(Issue(path: path.isEmpty ? "resource" : path, message: "must be a resource (a JSON object)"))
            return
        }
        guard let type = value["resourceType"]?.stringValue else {
            report.errors.append(Issue(path: join(path, "resourceType"), message: "is missing"))
            return
        }
        guard definitions.resourceTypes.contains(type) else {
            report.unknownElements.append(path.isEmpty ? "resourceType \(type)" : "\(path) (resourceType \(type))")
            return
        }
        checkComplex(value, type: type, path: path, isResource: true, into: &report)
    }

    private func checkComplex(_ value: JSONValue, type: String, path: String, isResource: Bool, into report: inout Report) {
        guard case .object(let members) = value else {
            report.errors.append(Issue(path: path, message: "must be an object"))
            return
        }
        guard let elements = definitions.elements(of: type) else { return }
        if members.isEmpty {
            report.errors.append(Issue(path: path, message: "is empty (leave it out instead)"))
            return
        }
        var present = Set<String>()
        var choices: [String: [String]] = [:]
        for (key, member) in members {
            if isResource && key == "resourceType" { continue }
            if key.hasPrefix("_"), key.count > 1 {
                let base = String(key.dropFirst())
                guard let element = elements[base], element.isPrimitive else {
                    report.unknownElements.append(join(path, key))
                    continue
                }
                present.insert(base)
                checkPrimitiveExtension(member, element: element, path: join(path, key), into: &report)
                continue
            }
            guard let element = elements[key] else {
                report.unknownElements.append(join(path, key))
                continue
            }
            present.insert(key)
            if let group = element.choiceGroup { choices[group, default: []].append(key) }
            let elementPath = join(path, key)
            if element.isArray {
                guard case .array(let items) = member else {
                    report.errors.append(Issue(path: elementPath, message: "must be a list"))
                    continue
                }
                if items.isEmpty { report.errors.append(Issue(path: elementPath, message: "is an empty list (leave it out instead)")) }
                for (i, item) in items.enumerated() {
                    // A null in a list of primitives stands beside an extension in the matching `_x` list.
                    if item == .null && element.isPrimitive && members.contains(where: { $0.key == "_" + key }) { continue }
                    checkValue(item, element: element, path: "\(elementPath)[\(i)]", into: &report)
                }
            } else {
                if case .array = member {
                    report.errors.append(Issue(path: elementPath, message: "must be a single value, not a list"))
                    continue
                }
                checkValue(member, element: element, path: elementPath, into: &report)
            }
        }
        for (group, keys) in choices where keys.count > 1 {
            report.errors.append(Issue(path: join(path, group + "[x]"), message: "is given more than once (\(keys.sorted().joined(separator: ", ")))"))
        }
        for (name, element) in elements.sorted(by: { $0.key < $1.key }) where element.isRequired && !present.contains(name) {
            report.errors.append(Issue(path: join(path, name), message: "is required"))
        }
        let requiredChoices = Set(elements.values.filter(\.isChoiceRequired).compactMap(\.choiceGroup))
        for group in requiredChoices.sorted() where choices[group] == nil {
            report.errors.append(Issue(path: join(path, group + "[x]"), message: "is required"))
        }
    }

    private func checkValue(_ value: JSONValue, element: FHIRDefinitions.Element, path: String, into report: inout Report) {
        if element.isPrimitive {
            if let problem = FHIRPrimitiveFormat.problem(with: value, as: element.type) {
                report.errors.append(Issue(path: path, message: problem))
            }
        } else if element.type == "Resource" {
            checkResource(value, path: path, into: &report)
        } else {
            checkComplex(value, type: element.type, path: path, isResource: false, into: &report)
        }
    }

    /// `_birthDate: {…}` (or a list of them, with nulls, for a list of primitives) holds an id and extensions.
    private func checkPrimitiveExtension(_ value: JSONValue, element: FHIRDefinitions.Element, path: String, into report: inout Report) {
        if element.isArray, case .array(let items) = value {
            for (i, item) in items.enumerated() where item != .null {
                checkComplex(item, type: "Element", path: "\(path)[\(i)]", isResource: false, into: &report)
            }
        } else {
            checkComplex(value, type: "Element", path: path, isResource: false, into: &report)
        }
    }

    private func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }
}
