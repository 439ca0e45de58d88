import CareVaultCore
import Foundation
import Testing

@Suite("FHIR R4 element validation")
struct FHIRElementValidatorTests {
    let validator = FHIRElementValidator()

    func check(_ json: String) throws -> FHIRElementValidator.Report {
        validator.check(resource: try JSONParser.parse(json))
    }

    @Test("All 604 official R4 examples pass without an unknown element, and without an error but the one real defect")
    func officialExamples() throws {
        try R4Examples.withFiles { files in
            var checkedElements = 0
            for file in files {
                let report = validator.check(resource: try JSONParser.parse(try Data(contentsOf: file)))
                if file.lastPathComponent == "examplescenario-questionnaire.json" {
                    // The published example really is invalid: its nested display items have no linkId (1..1 in R4).
                    #expect(!report.errors.isEmpty && report.errors.allSatisfy { $0.path.hasSuffix("linkId") && $0.message == "is required" })
                } else {
                    #expect(report.errors.isEmpty, "\(file.lastPathComponent): \(report.errors)")
                }
                #expect(report.unknownElements.isEmpty, "\(file.lastPathComponent): \(report.unknownElements)")
                checkedElements += 1
            }
            #expect(checkedElements == 604)
        }
    }

    @Test("A misspelt element is reported as unknown, with its path, and is not an error")
    func unknownElement() throws {
        let report = try check(#"{"resourceType":"Observation","status":"final","code":{"text":"x"},"effectivePeriod":{"start":"2020-01-01","stop":"2020-01-02"},"component":[{"code":{"text":"a"},"valueQuantiti":{"value":1}}]}"#)
        #expect(report.errors.isEmpty)
        #expect(report.unknownElements == ["effectivePeriod.stop", "component[0].valueQuantiti"])
    }

    @Test("Wrong formats and shapes name the element's path", arguments: [
        (#"{"resourceType":"Patient","birthDate":"1980-02-30"}"#, "birthDate"),
        (#"{"resourceType":"Patient","birthDate":"01/02/1980"}"#, "birthDate"),
        (#"{"resourceType":"Patient","active":"yes"}"#, "active"),
        (#"{"resourceType":"Patient","name":{"family":"Ng"}}"#, "name"),
        (#"{"resourceType":"Patient","gender":["female"]}"#, "gender"),
        (#"{"resourceType":"Patient","name":[{"family":""}]}"#, "name[0].family"),
        (#"{"resourceType":"Patient","name":[]}"#, "name"),
        (#"{"resourceType":"Patient","multipleBirthInteger":1.5}"#, "multipleBirthInteger"),
        (#"{"resourceType":"Patient","gender":"fe male  "}"#, "gender"),
        (#"{"resourceType":"Observation","status":"final","code":{"text":"x"},"effectiveDateTime":"2020-01-01T10:00"}"#, "effectiveDateTime"),
        (#"{"resourceType":"Observation","status":"final","code":{"text":"x"},"issued":"2020-01-01"}"#, "issued"),
        (#"{"resourceType":"Observation","status":"final","code":{"text":"x"},"valueQuantity":{"value":"7.2"}}"#, "valueQuantity.value"),
        (#"{"resourceType":"Observation","status":"final","code":{"text":"x"},"valueString":"a","valueBoolean":true}"#, "value[x]"),
        (#"{"resourceType":"Observation","code":{"text":"x"}}"#, "status"),
        (#"{"resourceType":"Observation","status":"final"}"#, "code"),
        (#"{"resourceType":"Observation","status":"final","code":{"text":"x"},"contained":[{"resourceType":"Patient","birthDate":"soon"}]}"#, "contained[0].birthDate"),
        (#"{"resourceType":"Observation","status":"final","code":{"text":"x"},"component":[{"valueString":"a"}]}"#, "component[0].code"),
    ])
    func invalid(json: String, path: String) throws {
        let report = try check(json)
        #expect(report.errors.map(\.path) == [path], "\(report.errors)")
    }

    @Test("Valid edge cases: partial dates, time zones, primitive extensions beside nulls, leap days")
    func validEdges() throws {
        let report = try check(#"""
            {"resourceType":"Patient","birthDate":"2000-02-29","_birthDate":{"extension":[{"url":"http://hl7.org/fhir/StructureDefinition/patient-birthTime","valueDateTime":"2000-02-29T10:15:00+02:00"}]},
             "name":[{"given":["Ann",null],"_given":[null,{"extension":[{"url":"http://example.org/x","valueString":"B"}]}]}],
             "deceasedDateTime":"2021","multipleBirthInteger":2,
             "contact":[{"period":{"start":"2019-07","end":"2020-01-01T00:00:00Z"}}]}
            """#)
        #expect(report.errors.isEmpty, "\(report.errors)")
        #expect(report.unknownElements.isEmpty)
    }

    @Test("A resource type R4 does not define is reported, not checked")
    func unknownResourceType() throws {
        let report = try check(#"{"resourceType":"InventoryItem","status":"active"}"#)
        #expect(report.errors.isEmpty)
        #expect(report.unknownElements == ["resourceType InventoryItem"])
    }
}
