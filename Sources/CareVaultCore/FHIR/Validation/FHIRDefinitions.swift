import Foundation

/// The FHIR R4 (4.0.1) element definitions: for every resource, data type and backbone element, its
/// elements with their type, cardinality and choice group. Loaded once from the bundled
/// `fhir-r4-elements.json` (written by `scripts/dev/generate-fhir-r4-elements.py`).
public struct FHIRDefinitions: Sendable {
    /// One element of a type, e.g. `Observation.effectivePeriod`.
    public struct Element: Sendable {
        /// A primitive (`dateTime`, `code`, …), a complex type (`Period`), a backbone element
        /// (`ObservationComponent`) or `Resource` (any resource, e.g. `contained`).
        public let type: String
        public let isArray: Bool
        public let isRequired: Bool
        /// For `value[x]`-style elements: the group name (`value`); at most one member may be present.
        public let choiceGroup: String?
        public let isChoiceRequired: Bool

        public var isPrimitive: Bool { type.first?.isLowercase == true }
    }

    public let fhirVersion: String
    /// The resource type names (Patient, Observation, …).
    public let resourceTypes: Set<String>
    let types: [String: [String: Element]]
    /// Per type, worked out once: its required elements (by name) and its required choice groups.
    let required: [String: (elements: [String], choices: [String])]

    /// The elements of a type, or nil for a name that is not an R4 type.
    public func elements(of type: String) -> [String: Element]? { types[type] }

    /// The bundled R4 definitions.
    public static let r4: FHIRDefinitions = {
        guard let url = Bundle.module.url(forResource: "fhir-r4-elements", withExtension: "json"),
              let data = try? Data(contentsOf: url), let definitions = try? FHIRDefinitions(json: data) else {
            fatalError("fhir-r4-elements.json is missing from the CareVaultCore bundle")
        }
        return definitions
    }()

    struct MalformedDefinitions: Error {}

    init(json: Data) throws {
        let root = try JSONParser.parse(json)
        guard case .object(let typeMembers)? = root["types"], let names = root["resources"]?.arrayValue else { throw MalformedDefinitions() }
        var types: [String: [String: Element]] = [:]
        for (typeName, value) in typeMembers {
            guard case .object(let elementMembers) = value else { throw MalformedDefinitions() }
            var elements: [String: Element] = [:]
            for (name, spec) in elementMembers {
                guard let type = spec["t"]?.stringValue else { throw MalformedDefinitions() }
                elements[name] = Element(type: type, isArray: spec["a"] != nil, isRequired: spec["r"] != nil,
                                         choiceGroup: spec["c"]?.stringValue, isChoiceRequired: spec["cr"] != nil)
            }
            types[typeName] = elements
        }
        self.fhirVersion = root["fhirVersion"]?.stringValue ?? ""
        self.resourceTypes = Set(names.compactMap(\.stringValue))
        self.types = types
        self.required = types.mapValues { elements in
            (elements.filter(\.value.isRequired).map(\.key).sorted(),
             Set(elements.values.filter(\.isChoiceRequired).compactMap(\.choiceGroup)).sorted())
        }
    }
}
