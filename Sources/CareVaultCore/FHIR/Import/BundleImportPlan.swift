/// A FHIR Bundle checked and taken apart for import: its one patient, and its entries with the keys
/// that recognize them again on re-import. Pure: no storage.
public struct BundleImportPlan: Sendable {
    public static let acceptedTypes: Set<String> = ["transaction", "batch", "collection", "searchset", "document"]
    /// Resource types that belong to no one patient (they are shared, and matched across patients).
    public static let sharedTypes: Set<String> = ["Organization", "Practitioner", "PractitionerRole", "Location", "Medication",
                                                  "Endpoint", "Substance", "HealthcareService"]

    public struct Entry: Sendable {
        /// Position in the bundle's `entry` array, from 0.
        public let index: Int
        public let resourceType: String
        public let originalID: String?
        public let fullURL: String?
        /// What recognizes this resource on a later import: its first identifier, else its original id or fullUrl.
        public let matchKey: String

        public var isShared: Bool { BundleImportPlan.sharedTypes.contains(resourceType) }
    }

    /// An element R4 does not define, kept unchanged and reported to whoever imported it.
    public struct UnknownElement: Sendable, Equatable, CustomStringConvertible {
        public let entry: Int
        public let resourceType: String
        public let path: String
        public var description: String { "entry \(entry), \(resourceType), \(path)" }

        public init(entry: Int, resourceType: String, path: String) {
            self.entry = entry
            self.resourceType = resourceType
            self.path = path
        }
    }

    public let bundleType: String
    /// Where the entries are read from.
    let source: any BundleEntrySource
    public let entries: [Entry]
    /// Elements R4 does not define (misspelt or from another version): stored as they are.
    public let unknownElements: [UnknownElement]
    /// The entry holding the Patient.
    public let patientEntry: Entry
    /// Who the bundle's Patient is: identifiers, name, birth date. Which identifier is the patient
    /// ID depends on the organization (``BundlePatientIdentity/patientID(configuredSystem:)``).
    public let patient: BundlePatientIdentity

    /// Checks a Bundle already in memory.
    public init(bundle: JSONValue, validator: FHIRElementValidator = FHIRElementValidator()) throws(BundleImportError) {
        guard case .object = bundle, bundle["entry"] == nil || bundle["entry"]?.arrayValue != nil else {
            throw BundleImportError(entry: nil, resourceType: "Bundle", field: "entry", message: "must be a list")
        }
        try self.init(source: ParsedBundle(bundle), validator: validator)
    }

    /// Checks every entry, reading them one at a time; only what identifies each is kept, and the
    /// resources are read again from `source` when they are stored (``resolvedResource(at:ids:references:)``).
    public init(source: any BundleEntrySource, validator: FHIRElementValidator = FHIRElementValidator()) throws(BundleImportError) {
        let bundle = source.header
        guard bundle["resourceType"]?.stringValue == "Bundle" else {
            throw BundleImportError(entry: nil, resourceType: nil, field: "resourceType", message: "is not Bundle")
        }
        guard let type = bundle["type"]?.stringValue, Self.acceptedTypes.contains(type) else {
            throw BundleImportError(entry: nil, resourceType: "Bundle", field: "type",
                                    message: "must be one of \(Self.acceptedTypes.sorted().joined(separator: ", "))")
        }
        guard source.count > 0 else {
            throw BundleImportError(entry: nil, resourceType: "Bundle", field: "entry", message: "is missing or empty")
        }
        var patientResource: JSONValue?
        var entries: [Entry] = []
        var unknownElements: [UnknownElement] = []
        for index in 0..<source.count {
            let raw = try source.entry(index)
            if let method = raw["request"]?["method"]?.stringValue, !["POST", "PUT"].contains(method) {
                throw BundleImportError(entry: index, resourceType: nil, field: "request.method", message: "\(method) is not supported in an import")
            }
            guard let resource = raw["resource"], case .object = resource else {
                throw BundleImportError(entry: index, resourceType: nil, field: "resource", message: "is missing")
            }
            guard let resourceType = resource["resourceType"]?.stringValue, Self.isResourceTypeName(resourceType) else {
                throw BundleImportError(entry: index, resourceType: nil, field: "resourceType", message: "is missing or not a resource type")
            }
            let id = resource["id"]?.stringValue
            if resource["id"] != nil && (id == nil || !Self.isValidID(id!)) {
                throw BundleImportError(entry: index, resourceType: resourceType, field: "id", message: "is not a valid FHIR id")
            }
            let report = validator.check(resource: resource)
            if let first = report.errors.first {
                let more = report.errors.count > 1 ? " (and \(report.errors.count - 1) more in this entry)" : ""
                throw BundleImportError(entry: index, resourceType: resourceType, field: first.path, message: first.message + more)
            }
            unknownElements += report.unknownElements.map { UnknownElement(entry: index, resourceType: resourceType, path: $0) }
            do {
                _ = try FHIRIndexFields.read(resource)
            } catch {
                throw BundleImportError(entry: index, resourceType: resourceType, field: error.field, message: error.message)
            }
            let fullURL = raw["fullUrl"]?.stringValue
            if resourceType == "Patient" { patientResource = resource }
            entries.append(Entry(index: index, resourceType: resourceType, originalID: id, fullURL: fullURL,
                                 matchKey: Self.matchKey(resource, id: id, fullURL: fullURL, index: index)))
        }
        entries = try Self.withDistinctMatchKeys(entries)
        let patients = entries.filter { $0.resourceType == "Patient" }
        guard patients.count == 1, let patient = patients.first, let patientResource else {
            throw BundleImportError(entry: nil, resourceType: "Bundle", field: "entry",
                                    message: "must hold exactly one Patient (found \(patients.count))")
        }
        let identity = try BundlePatientIdentity(patient: patientResource, entry: patient.index)
        self.bundleType = type
        self.source = source
        self.entries = entries
        self.unknownElements = unknownElements
        self.patientEntry = patient
        self.patient = identity
    }

    /// Where each reference to an entry points once stored: `fullUrl`s and original `Type/id`s to
    /// `Type/newID`. `ids[i]` is the id assigned to `entries[i]`.
    public func references(ids: [String]) -> [String: String] {
        var map: [String: String] = [:]
        for (entry, id) in zip(entries, ids) {
            let target = "\(entry.resourceType)/\(id)"
            if let fullURL = entry.fullURL { map[fullURL] = target }
            if let original = entry.originalID {
                map["\(entry.resourceType)/\(original)"] = target
                if let fullURL = entry.fullURL, fullURL.hasSuffix("/\(entry.resourceType)/\(original)") { map[fullURL] = target }
            }
        }
        return map
    }

    /// Entry `index`'s resource, read again from the source, with its new id set and every
    /// reference to another entry rewritten (see ``references(ids:)``).
    public func resolvedResource(at index: Int, ids: [String], references map: [String: String]) throws(BundleImportError) -> JSONValue {
        guard let raw = try source.entry(index)["resource"], case .object = raw else {
            throw BundleImportError(entry: index, resourceType: nil, field: "resource", message: "is missing")
        }
        // Attachments point at their Binary with `url` rather than `reference`; only exact matches change.
        var resource = raw.mapStrings(underKey: "reference") { map[$0] ?? $0 }.mapStrings(underKey: "url") { map[$0] ?? $0 }
        resource.set("id", .string(ids[index]))
        return resource
    }

    /// Every resource resolved (see ``resolvedResource(at:ids:references:)``); for small bundles and tests.
    public func resolved(ids: [String]) throws(BundleImportError) -> [JSONValue] {
        let map = references(ids: ids)
        var result: [JSONValue] = []
        for index in entries.indices { result.append(try resolvedResource(at: index, ids: ids, references: map)) }
        return result
    }

    /// Sources do reuse one identifier for several resources (three Immunizations with one order
    /// number); an identifier that is not unique in its bundle recognizes none of them, so those
    /// entries are matched by their id instead. The same resource twice in one bundle is an error.
    static func withDistinctMatchKeys(_ entries: [Entry]) throws(BundleImportError) -> [Entry] {
        let counts = Dictionary(entries.map { ("\($0.resourceType) \($0.matchKey)", 1) }, uniquingKeysWith: +)
        var seen = Set<String>()
        var result: [Entry] = []
        for entry in entries {
            var key = entry.matchKey
            if counts["\(entry.resourceType) \(key)"]! > 1, key.hasPrefix("identifier:") {
                key = matchKey(.object([]), id: entry.originalID, fullURL: entry.fullURL, index: entry.index)
            }
            guard seen.insert("\(entry.resourceType) \(key)").inserted else {
                throw BundleImportError(entry: entry.index, resourceType: entry.resourceType, field: "id",
                                        message: "the same resource appears more than once in this bundle")
            }
            result.append(Entry(index: entry.index, resourceType: entry.resourceType, originalID: entry.originalID,
                                fullURL: entry.fullURL, matchKey: key))
        }
        return result
    }

    static func matchKey(_ resource: JSONValue, id: String?, fullURL: String?, index: Int) -> String {
        if let identifier = resource["identifier"]?.arrayValue?.first, let value = identifier["value"]?.stringValue {
            return "identifier:\(identifier["system"]?.stringValue ?? "")|\(value)"
        }
        if let id { return "id:\(id)" }
        if let fullURL { return "url:\(fullURL)" }
        return "entry:\(index)"
    }

    static func isResourceTypeName(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, ("A"..."Z").contains(first), text.count <= 64 else { return false }
        return text.unicodeScalars.allSatisfy { ("A"..."Z").contains($0) || ("a"..."z").contains($0) }
    }

    /// FHIR ids: 1–64 of A–Z, a–z, 0–9, '-' and '.'.
    public static func isValidID(_ text: String) -> Bool {
        !text.isEmpty && text.count <= 64 && text.unicodeScalars.allSatisfy {
            ("A"..."Z").contains($0) || ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "."
        }
    }
}

/// Why a bundle was refused: the entry (by index), its resource type and the field.
public struct BundleImportError: Error, Equatable, Sendable, CustomStringConvertible {
    public let entry: Int?
    public let resourceType: String?
    public let field: String
    public let message: String

    public init(entry: Int?, resourceType: String?, field: String, message: String) {
        self.entry = entry
        self.resourceType = resourceType
        self.field = field
        self.message = message
    }

    public var description: String {
        var place: [String] = []
        if let entry { place.append("entry \(entry)") }
        if let resourceType { place.append(resourceType) }
        place.append(field)
        return place.joined(separator: ", ") + ": " + message
    }
}
