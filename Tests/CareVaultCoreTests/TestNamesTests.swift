import CareVaultCore
import Testing

/// Tests and measurements are named in a patient's words; the record's own name is kept.
@Suite("Test names")
struct TestNamesTests {
    static func concept(_ system: String, _ code: String, _ display: String) throws -> JSONValue {
        try JSONParser.parse(#"{"coding":[{"system":"\#(system)","code":"\#(code)","display":"\#(display)"}]}"#)
    }

    @Test("Common LOINC tests get a plain name, whatever the lab calls them", arguments: [
        ("6690-2", "Leukocytes [#/volume] in Blood by Automated count", "White blood cell count (WBC)"),
        ("2339-0", "Glucose Bld-mCnc", "Blood sugar (glucose)"),
        ("4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood", "Average blood sugar over 3 months (HbA1c)"),
        ("85354-9", "Blood pressure panel with all children optional", "Blood pressure"),
        ("2093-3", "Total Cholesterol", "Total cholesterol"),
    ])
    func curated(code: String, display: String, plain: String) throws {
        #expect(TestNames.plain(try Self.concept(TestNames.loinc, code, display), recordName: display) == plain)
    }

    @Test("Other LOINC names lose the bracketed property; other code systems keep their names")
    func fallback() throws {
        let ferritin = "Ferritin [Mass/volume] in Serum or Plasma"
        #expect(TestNames.plain(try Self.concept(TestNames.loinc, "2276-4", ferritin), recordName: ferritin) == "Ferritin in Serum or Plasma")
        let pain = "Pain severity - 0-10 verbal numeric rating [Score] - Reported"
        #expect(TestNames.plain(try Self.concept(TestNames.loinc, "0000-0", pain), recordName: pain) == "Pain severity - 0-10 verbal numeric rating - Reported")
        let local = "Panel [local lab]"
        #expect(TestNames.plain(try Self.concept("urn:oid:1.2.3", "6690-2", local), recordName: local) == local)
        #expect(TestNames.plain(nil, recordName: "Unnamed test") == "Unnamed test")
        #expect(TestNames.plain(try Self.concept(TestNames.loinc, "1-8", "[x]"), recordName: "[x]") == "[x]")  // nothing left: as written
    }

    @Test("A search for the plain words finds the codes they name")
    func search() {
        #expect(TestNames.codes(matching: "white blood") == ["26464-8", "6690-2", "804-5"])
        #expect(TestNames.codes(matching: " HbA1c ") == ["17856-6", "4548-4"])
        #expect(TestNames.codes(matching: "a").isEmpty)  // too short to mean anything
        #expect(TestNames.codes(matching: "ferritin").isEmpty)
    }

    @Test("A record item shows the plain name and keeps the record's name as a detail")
    func recordEntry() throws {
        let json = try JSONParser.parse("""
            {"resourceType":"Observation","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"718-7",
             "display":"Hemoglobin [Mass/volume] in Blood"}],"text":"Hemoglobin [Mass/volume] in Blood"},"valueQuantity":{"value":15.5,"unit":"g/dL"}}
            """)
        let entry = RecordEntry(resourceType: "Observation", id: "h", json: json)
        #expect(entry.name == "Hemoglobin")
        #expect(entry.details.first?.label == "Result")
        #expect(entry.details.contains(.init(label: "Name in the record", value: "Hemoglobin [Mass/volume] in Blood")))
        let condition = RecordEntry(resourceType: "Condition", id: "c", json: try JSONParser.parse(
            #"{"resourceType":"Condition","code":{"coding":[{"system":"http://loinc.org","code":"718-7","display":"Anemia [x]"}]}}"#))
        #expect(condition.name == "Anemia [x]")  // only tests and measurements are renamed
    }
}
