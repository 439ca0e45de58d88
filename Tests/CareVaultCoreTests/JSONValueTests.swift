import CareVaultCore
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite("Lossless JSON")
struct JSONValueTests {
    @Test("Numbers keep their text and members their order")
    func lossless() throws {
        let text = #"{"z":1.50,"a":[1e10,-0.0,12345678901234567890],"m":{"b":true,"a":null},"s":"x"}"#
        let value = try JSONParser.parse(text)
        #expect(value.jsonText == text)
        #expect(value["z"] == .number("1.50"))
        #expect(value["m"]?["a"] == .null)
    }

    @Test("Escapes, surrogate pairs and non-Latin text round-trip")
    func strings() throws {
        let value = try JSONParser.parse(#"{"name":"Zo\u00eb \ud83d\ude00 \"q\" \\ \/ 山田\n"}"#)
        #expect(value["name"]?.stringValue == "Zoë 😀 \"q\" \\ / 山田\n")
        #expect(try JSONParser.parse(value.jsonText) == value)
    }

    @Test("Malformed JSON is refused with the byte offset", arguments: [
        "", "{", #"{"a":}"#, "[1,]", "01", "1.", #""\x""#, "{\"a\":1} x", "tru", #""\ud800""#, "[\"\u{01}\"]",
    ])
    func malformed(text: String) {
        #expect(throws: JSONParser.SyntaxError.self) { try JSONParser.parse(text) }
    }

    @Test("Nesting deeper than the limit is refused, not a crash")
    func depth() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: JSONParser.SyntaxError.self) { try JSONParser.parse(deep) }
    }

    @Test("All 604 official FHIR R4 examples round-trip exactly as JSON")
    func fhirExamples() throws {
        try R4Examples.withFiles { files in
            for file in files {
                let data = try Data(contentsOf: file)
                let value = try JSONParser.parse(data)
                let again = try JSONParser.parse(value.jsonText)
                #expect(again == value, "\(file.lastPathComponent) did not round-trip")
                // Semantically the same document as Foundation reads it.
                let original = try JSONSerialization.jsonObject(with: data) as? NSDictionary
                let ours = try JSONSerialization.jsonObject(with: Data(value.jsonText.utf8)) as? NSDictionary
                #expect(original == ours, "\(file.lastPathComponent) changed meaning")
            }
        }
    }
}

@Suite("Bundle outline scanning")
struct BundleScanTests {
    func scan(_ text: String) throws -> (JSONParser.BundleLayout, [String]) {
        let bytes = Array(text.utf8)
        return try bytes.withUnsafeBytes { raw in
            let layout = try JSONParser.scanBundle(raw: raw)
            return (layout, layout.entryRanges.map { String(decoding: bytes[$0], as: UTF8.self) })
        }
    }

    @Test("Entries are found by their exact text, whatever brackets and quotes their strings hold")
    func entries() throws {
        let text = #"{"resourceType":"Bundle", "entry" : [ {"a":"}]\"{["} ,{"b":[1,{"c":null}]},"x",42 ],"type":"collection"}"#
        let (layout, entries) = try scan(text)
        #expect(entries == [#"{"a":"}]\"{["}"#, #"{"b":[1,{"c":null}]}"#, #""x""#, "42"])
        #expect(layout.header == .object([("resourceType", .string("Bundle")), ("type", .string("collection"))]))
        for entry in entries { _ = try JSONParser.parse(entry) }
    }

    @Test("Broken outlines are refused with the byte offset", arguments: [
        #"{"entry":[{"a":1}"#, #"{"entry":[{"a":1}}]}"#, #"{"entry":[{"a":"x]}"#, #"[1]"#, #"{"entry":[1 2]}"#, #"{"entry":[]} x"#,
    ])
    func broken(text: String) {
        #expect(throws: JSONParser.SyntaxError.self) { try scan(text) }
    }
}
