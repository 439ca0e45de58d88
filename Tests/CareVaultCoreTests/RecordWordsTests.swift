import CareVaultCore
import Testing

/// What a patient reads of a record item: values, units and kinds in plain words.
@Suite("Record words")
struct RecordWordsTests {
    static func entry(_ json: String) throws -> RecordEntry {
        RecordEntry(resourceType: "Observation", id: "o1", json: try JSONParser.parse(json))
    }

    @Test("Blood pressure reads in whole mmHg, however precise the record")
    func bloodPressure() throws {
        let entry = try Self.entry("""
            {"resourceType":"Observation","status":"final","code":{"text":"Blood Pressure"},
             "category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"vital-signs"}]}],
             "component":[
               {"code":{"coding":[{"system":"http://loinc.org","code":"8480-6"}]},"valueQuantity":{"value":123.7373447247063,"unit":"mm[Hg]"}},
               {"code":{"coding":[{"system":"http://loinc.org","code":"8462-4"}]},"valueQuantity":{"value":75.29115048493,"unit":"mm[Hg]"}}]}
            """)
        #expect(entry.details.first { $0.label == "Result" }?.value == "124/75 mmHg")
        #expect(entry.details.first { $0.label == "Kind" }?.value == "Vital signs")
    }

    @Test("Measured values are rounded for reading and their units written as people write them")
    func quantity() throws {
        let bmi = try Self.entry("""
            {"resourceType":"Observation","code":{"text":"Body Mass Index"},"valueQuantity":{"value":27.318283080476,"unit":"kg/m2"},
             "category":[{"coding":[{"system":"urn:other","code":"vital-signs"}]}]}
            """)
        #expect(bmi.details.first { $0.label == "Result" }?.value == "27.32 kg/m²")
        // A code from another system is not translated: only the observation categories are known.
        #expect(bmi.details.first { $0.label == "Kind" }?.value == "vital-signs")
        #expect(FHIRText.quantity(try JSONParser.parse(#"{"value":5,"unit":"10*3/uL","comparator":"<"}"#)) == "<5 × 10³/µL")
    }

    @Test("Units not in the list, and displays the record gives, are shown as recorded", arguments: [
        ("mg/dL", "mg/dL"), ("mm[Hg]", "mmHg"), ("{beats}/min", "beats per minute"), ("", ""), ("made-up unit", "made-up unit"),
    ])
    func units(unit: String, shown: String) {
        #expect(UnitWords.readable(unit) == shown)
    }

    @Test("A clinic's reading stored at machine precision reads like a home reading on the readings pages")
    func readings() throws {
        let pressure = try #require(ReadingObservation.point(from: try JSONParser.parse("""
            {"resourceType":"Observation","status":"final","effectiveDateTime":"2026-03-02T09:45:00Z",
             "code":{"coding":[{"system":"http://loinc.org","code":"85354-9"}]},
             "component":[
               {"code":{"coding":[{"system":"http://loinc.org","code":"8480-6"}]},"valueQuantity":{"value":123.7373447247063,"code":"mm[Hg]"}},
               {"code":{"coding":[{"system":"http://loinc.org","code":"8462-4"}]},"valueQuantity":{"value":75.29115048493,"code":"mm[Hg]"}}]}
            """)))
        #expect(pressure.display == "124/75 mmHg")
        #expect(pressure.value == 123.7373447247063)  // the chart and the record keep the exact value
        let weight = try #require(ReadingObservation.point(from: try JSONParser.parse("""
            {"resourceType":"Observation","status":"final","effectiveDateTime":"2026-03-02T09:45:00Z",
             "code":{"coding":[{"system":"http://loinc.org","code":"29463-7"}]},"valueQuantity":{"value":80.12345678,"code":"kg"}}
            """)))
        #expect(weight.display == "80.12 kg")
    }

    @Test("SNOMED's semantic tags are left off names; other brackets stay", arguments: [
        ("Chronic sinusitis (disorder)", "Chronic sinusitis"), ("Encounter for check up (procedure)", "Encounter for check up"),
        ("Body mass index (BMI) [Ratio]", "Body mass index (BMI) [Ratio]"), ("Influenza (seasonal)", "Influenza (seasonal)"),
        ("(disorder)", "(disorder)"), ("Medication review due (situation)", "Medication review due"), ("Plain", "Plain"),
    ])
    func semanticTags(name: String, shown: String) throws {
        #expect(FHIRText.withoutSemanticTag(name) == shown)
        let condition = try JSONParser.parse(#"{"code":{"coding":[{"system":"http://snomed.info/sct","code":"40055000","display":"\#(name)"}],"text":"\#(name)"}}"#)
        #expect(FHIRText.concept(condition["code"]) == shown)
        #expect(RecordItem(resourceType: "Condition", id: "c1", json: condition).name == shown)
    }

    @Test("A claim's total reads as an amount of money, whether the total is Money (Claim) or a list of totals (ExplanationOfBenefit)")
    func money() throws {
        let claim = RecordEntry(resourceType: "Claim", id: "c1", json: try JSONParser.parse(#"{"resourceType":"Claim","total":{"value":125,"currency":"USD"}}"#))
        #expect(claim.details.first { $0.label == "Total" }?.value == "125.00 USD")
        let eob = RecordEntry(resourceType: "ExplanationOfBenefit", id: "e1", json: try JSONParser.parse(
            #"{"resourceType":"ExplanationOfBenefit","total":[{"category":{"text":"Submitted"},"amount":{"value":265.52,"currency":"USD"}}]}"#))
        #expect(eob.details.first { $0.label == "Total" }?.value == "265.52 USD")
    }

    @Test("A US Core care plan is named by its descriptive category, not by the \"assess-plan\" marker; allergy types read as words")
    func carePlanAndAllergy() throws {
        let plan = RecordEntry(resourceType: "CarePlan", id: "p1", json: try JSONParser.parse("""
            {"resourceType":"CarePlan","category":[
              {"coding":[{"system":"http://hl7.org/fhir/us/core/CodeSystem/careplan-category","code":"assess-plan"}]},
              {"coding":[{"system":"http://snomed.info/sct","code":"384758001","display":"Self-care interventions (procedure)"}],"text":"Self-care interventions (procedure)"}]}
            """))
        #expect(plan.name == "Self-care interventions")
        let bare = RecordEntry(resourceType: "CarePlan", id: "p2", json: try JSONParser.parse("""
            {"resourceType":"CarePlan","category":[{"coding":[{"system":"http://hl7.org/fhir/us/core/CodeSystem/careplan-category","code":"assess-plan"}]}]}
            """))
        #expect(bare.name == "Assessment and plan of treatment")
        let allergy = RecordEntry(resourceType: "AllergyIntolerance", id: "a1", json: try JSONParser.parse(
            #"{"resourceType":"AllergyIntolerance","category":["food","medication"],"code":{"text":"Peanuts"}}"#))
        #expect(allergy.details.first { $0.label == "Type" }?.value == "Food, Medicine")
    }

    @Test("Files a record only points to are named, never fetched; inline and Binary files stay downloadable")
    func externalFiles() throws {
        let document = try JSONParser.parse("""
            {"resourceType":"DocumentReference","content":[
              {"attachment":{"contentType":"application/pdf","url":"https://files.example.org/note.pdf"}},
              {"attachment":{"contentType":"text/plain","data":"aGVsbG8="}},
              {"attachment":{"contentType":"application/pdf","url":"Binary/b1"}}]}
            """)
        #expect(RecordAttachment.external(in: document) == ["https://files.example.org/note.pdf"])
        #expect(RecordAttachment.all(in: document).map(\.index) == [1, 2])
    }
}
