// BundleImportPlan: a staff member's FHIR import. Two ways in, as the server has them: an outline of
// the file read entry by entry (MappedBundleFile, here over memory), and a bundle parsed whole.
// An accepted plan is also resolved (new ids, references rewritten), as an import does next.
import CareVaultCore
import FuzzSupport

/// MappedBundleFile without the file: scanBundle's outline of bytes in memory.
final class BytesBundle: BundleEntrySource {
    let input: [UInt8]
    let header: JSONValue
    let ranges: [Range<Int>]

    init?(_ input: [UInt8]) {
        guard let layout = input.withUnsafeBytes({ raw in try? JSONParser.scanBundle(raw: raw) }) else { return nil }
        self.input = input
        header = layout.header
        ranges = layout.entryRanges
    }

    var count: Int { ranges.count }

    func entry(_ index: Int) throws(BundleImportError) -> JSONValue {
        let range = ranges[index]
        let result = input.withUnsafeBytes { raw in
            Result { () throws(JSONParser.SyntaxError) in try JSONParser.parse(raw: UnsafeRawBufferPointer(rebasing: raw[range])) }
        }
        switch result {
        case .success(let value): return value
        case .failure(let error): throw BundleImportError(entry: index, resourceType: nil, field: "JSON", message: error.description)
        }
    }
}

func exercise(_ plan: BundleImportPlan) {
    require(plan.entries.contains { $0.index == plan.patientEntry.index }, "the patient entry is not among the entries")
    let ids = plan.entries.indices.map { "new-\($0)" }
    guard let resources = try? plan.resolved(ids: ids) else { return }
    require(resources.count == plan.entries.count, "\(resources.count) resources resolved for \(plan.entries.count) entries")
    for (resource, id) in zip(resources, ids) { require(resource["id"]?.stringValue == id, "a resolved resource did not get its new id") }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = bytes(data, size)
    if let source = BytesBundle(input) {
        do {
            let plan = try BundleImportPlan(source: source)
            note("outline: accepted, \(plan.entries.count) entries, \(plan.unknownElements.count) unknown elements")
            exercise(plan)
        } catch {
            note("outline: refused: \(error)")
        }
    }
    if let bundle = try? JSONParser.parse(input) {
        do {
            let plan = try BundleImportPlan(bundle: bundle)
            note("parsed: accepted, \(plan.entries.count) entries")
            exercise(plan)
        } catch {
            note("parsed: refused: \(error)")
        }
    }
    return 0
}
