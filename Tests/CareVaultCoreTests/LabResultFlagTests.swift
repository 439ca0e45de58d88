import CareVaultCore
import Testing

/// A result's flag: the lab's interpretation when it sends one, else the result against its range.
@Suite("Lab result flags")
struct LabResultFlagTests {
    static func result(value: String, range: String, interpretation: String? = nil) throws -> LabResult? {
        let flag = interpretation.map { #","interpretation":[{"coding":[{"code":"\#($0)"}]}]"# } ?? ""
        return LabResult(id: "r", json: try JSONParser.parse("""
            {"resourceType":"Observation","code":{"text":"Potassium"},"valueQuantity":{\(value),"unit":"mmol/L"},
             "referenceRange":[{\(range)}]\(flag)}
            """))
    }

    @Test("Without an interpretation, a value outside the range is flagged as the chart draws it", arguments: [
        (#""value":5.9"#, #""low":{"value":3.5},"high":{"value":5.1}"#, LabResult.Flag.high),
        (#""value":3.1"#, #""low":{"value":3.5},"high":{"value":5.1}"#, .low),
        (#""value":5.1"#, #""low":{"value":3.5},"high":{"value":5.1}"#, .normal),  // the limits are inside
        (#""value":9"#, #""high":{"value":5.1}"#, .high),
        (#""value":1"#, #""low":{"value":3.5}"#, .low),
        (#""value":4, "comparator":"<""#, #""low":{"value":3.5},"high":{"value":5.1}"#, .unknown),  // "<4" may be low or normal
        (#""value":4"#, #""text":"depends on age""#, .unknown),  // no numbers to compare with
    ])
    func computed(value: String, range: String, expected: LabResult.Flag) throws {
        #expect(try Self.result(value: value, range: range)?.flag == expected)
    }

    @Test("The lab's own interpretation wins over the range")
    func interpretationWins() throws {
        #expect(try Self.result(value: #""value":5.9"#, range: #""low":{"value":3.5},"high":{"value":5.1}"#, interpretation: "N")?.flag == .normal)
        #expect(try Self.result(value: #""value":4.0"#, range: #""low":{"value":3.5},"high":{"value":5.1}"#, interpretation: "HH")?.flag == .criticalHigh)
        #expect(try Self.result(value: #""value":9"#, range: #""low":{"value":3.5}"#, interpretation: "X")?.flag == .unknown)
    }
}
