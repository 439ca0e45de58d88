/// A Bundle whose entries are read one at a time, so that an import never needs a parse tree of a
/// whole large bundle: ``ParsedBundle`` for one already in memory, ``MappedBundleFile`` for a file.
public protocol BundleEntrySource: Sendable {
    /// The Bundle's own members (`resourceType`, `type`, …) without `entry`.
    var header: JSONValue { get }
    /// How many entries the Bundle has.
    var count: Int { get }
    /// Entry `index` (from 0) as JSON: `fullUrl`, `resource`, `request`…
    func entry(_ index: Int) throws(BundleImportError) -> JSONValue
}

/// A Bundle already parsed (NDJSON grouped per patient, or a small upload).
public struct ParsedBundle: BundleEntrySource {
    public let header: JSONValue
    let entries: [JSONValue]

    public init(_ bundle: JSONValue) {
        guard case .object(let members) = bundle else {
            self.header = bundle
            self.entries = []
            return
        }
        self.header = .object(members.filter { $0.key != "entry" })
        self.entries = bundle["entry"]?.arrayValue ?? []
    }

    public var count: Int { entries.count }
    public func entry(_ index: Int) throws(BundleImportError) -> JSONValue { entries[index] }
}
