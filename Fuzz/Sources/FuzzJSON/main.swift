// JSONParser: every FHIR upload and import. Checks that what parses serializes back to the same value
// (JSONValue is lossless by design), and that a Bundle outlined by scanBundle (how a large file is
// imported) gives the same header and entries as parsing it whole (how a small one is).
import CareVaultCore
import FuzzSupport

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = bytes(data, size)
    let parsed = try? JSONParser.parse(input)
    let layout = input.withUnsafeBytes { raw in try? JSONParser.scanBundle(raw: raw) }
    var entries: [JSONValue?] = []
    if let layout {
        for range in layout.entryRanges {
            require(range.lowerBound >= 0 && range.upperBound <= input.count, "entry range \(range) outside \(input.count) bytes")
            entries.append(input.withUnsafeBytes { raw in try? JSONParser.parse(raw: UnsafeRawBufferPointer(rebasing: raw[range])) })
        }
    }
    guard let parsed else { return 0 }
    let text = parsed.jsonText
    let again = try? JSONParser.parse(text)
    require(again == parsed, "jsonText does not parse back to the same value: \(text.prefix(200))")

    // A whole object with exactly one `entry` array: the outline must agree with the parse.
    guard case .object(let members) = parsed, members.filter({ $0.key == "entry" }).count == 1,
          case .array(let items)? = parsed["entry"] else { return 0 }
    guard let layout else { fatalError("fuzz invariant violated: parses whole but scanBundle refuses it") }
    var header = parsed
    header.remove("entry")
    require(layout.header == header, "scanBundle's header differs from the parsed object without entry")
    require(entries.count == items.count, "scanBundle found \(entries.count) entries, the parse \(items.count)")
    for (index, (entry, item)) in zip(entries, items).enumerated() {
        require(entry == item, "entry \(index) parsed alone differs from the same entry parsed in the whole")
    }
    return 0
}
