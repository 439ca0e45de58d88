import CareVaultCore
import Foundation

/// A small hand-made transaction bundle with what the Synthea sample lacks: documents with files
/// (an inline PDF, a text note in a Binary), an imaging report, an allergy, an active medicine and
/// problem, a blood pressure, a care plan, a device. Names are non-Latin on purpose.
enum ClinicBundle {
    static var pdf: Data { get throws { try Data(contentsOf: RecordImportTests.fixtures.appendingPathComponent("crazyones.pdf")) } }
    static let noteText = "Discharge note: rest for a week. Ärztin Zoë Øster."

    /// `confidentialMedicine` labels the active medicine with HL7's sexual and reproductive health
    /// sensitivity code, as a sender marks confidential care.
    static func json(mrn: String = "CLINIC-1", family: String = "Дмитриева", given: String = "Зоя", visitDate: String = "2024-03-05",
                     birthDate: String = "1980-02-29", confidentialMedicine: Bool = false) throws -> Data {
        let label = confidentialMedicine ? #""meta":{"security":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"SEX"}]},"# : ""
        let pdf = try pdf.base64EncodedString()
        let note = Data(noteText.utf8).base64EncodedString()
        let patient = "urn:uuid:00000000-0000-4000-8000-000000000001"
        let encounter = "urn:uuid:00000000-0000-4000-8000-000000000002"
        let text = #"""
        {"resourceType":"Bundle","type":"transaction","entry":[
         {"fullUrl":"\#(patient)","resource":{"resourceType":"Patient","identifier":[{"type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0203","code":"MR"}]},"value":"\#(mrn)"}],"name":[{"family":"\#(family)","given":["\#(given)"]}],"birthDate":"\#(birthDate)"},"request":{"method":"POST","url":"Patient"}},
         {"fullUrl":"\#(encounter)","resource":{"resourceType":"Encounter","identifier":[{"value":"enc-1"}],"status":"finished","class":{"code":"IMP"},"type":[{"text":"Hospital stay for pneumonia"}],"subject":{"reference":"\#(patient)"},"period":{"start":"\#(visitDate)T09:00:00Z","end":"\#(visitDate)T17:00:00Z"}},"request":{"method":"POST","url":"Encounter"}},
         {"fullUrl":"urn:uuid:00000000-0000-4000-8000-000000000003","resource":{"resourceType":"DocumentReference","identifier":[{"value":"doc-discharge"}],"status":"current","type":{"coding":[{"system":"http://loinc.org","code":"18842-5","display":"Discharge summary"}]},"subject":{"reference":"\#(patient)"},"date":"\#(visitDate)T17:00:00Z","context":{"encounter":[{"reference":"\#(encounter)"}]},"content":[{"attachment":{"contentType":"application/pdf","title":"Discharge summary.pdf","data":"\#(pdf)"}}]},"request":{"method":"POST","url":"DocumentReference"}},
         {"fullUrl":"urn:uuid:00000000-0000-4000-8000-000000000004","resource":{"resourceType":"Binary","id":"note-bytes","contentType":"text/plain","data":"\#(note)"},"request":{"method":"POST","url":"Binary"}},
         {"fullUrl":"urn:uuid:00000000-0000-4000-8000-000000000005","resource":{"resourceType":"DocumentReference","identifier":[{"value":"doc-note"}],"status":"current","type":{"text":"Nurse's note"},"description":"<script>alert(1)</script>","subject":{"reference":"\#(patient)"},"date":"\#(visitDate)T16:00:00Z","context":{"encounter":[{"reference":"\#(encounter)"}]},"content":[{"attachment":{"contentType":"text/html","title":"../../etc/passwd","url":"Binary/note-bytes"}}]},"request":{"method":"POST","url":"DocumentReference"}},
         {"fullUrl":"urn:uuid:00000000-0000-4000-8000-000000000006","resource":{"resourceType":"DiagnosticReport","identifier":[{"value":"rad-1"}],"status":"final","category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0074","code":"RAD"}]}],"code":{"coding":[{"system":"http://loinc.org","code":"36643-5","display":"Chest X-ray"}]},"subject":{"reference":"\#(patient)"},"encounter":{"reference":"\#(encounter)"},"effectiveDateTime":"\#(visitDate)T10:00:00Z","conclusion":"Patchy consolidation in the right lower lobe."},"request":{"method":"POST","url":"DiagnosticReport"}},
         {"fullUrl":"urn:uuid:00000000-0000-4000-8000-000000000007","resource":{"resourceType":"AllergyIntolerance","identifier":[{"value":"allergy-1"}],"clinicalStatus":{"coding":[{"code":"active"}]},"category":["medication"],"criticality":"high","code":{"coding":[{"system":"http://snomed.info/sct","code":"91936005","display":"Allergy to penicillin"}]},"patient":{"reference":"\#(patient)"},"recordedDate":"2020-01-01","reaction":[{"manifestation":[{"text":"Hives"}],"severity":"moderate"}]},"request":{"method":"POST","url":"AllergyIntolerance"}},
         {"fullUrl":"urn:uuid:00000000-0000-4000-8000-000000000008","resource":{"resourceType":"MedicationRequest",\#(label)"identifier":[{"value":"med-1"}],"status":"active","intent":"order","medicationCodeableConcept":{"coding":[{"system":"http://www.nlm.nih.gov/research/umls/rxnorm","code":"308182","display":"Amoxicillin 250 MG Oral Capsule"}]},"subject":{"reference":"\#(patient)"},"encounter":{"reference":"\#(encounter)"},"authoredOn":"\#(visitDate)","dosageInstruction":[{"text":"1 capsule 3 times a day for 7 days"}]},"request":{"method":"POST","url":"MedicationRequest"}},
         {"fullUrl":"urn:uuid:00000000-0000-4000-8000-000000000009","resource":{"resourceType":"MedicationRequest","identifier":[{"value":"med-2"}],"status":"stopped","intent":"order","medicationCodeableConcept":{"text":"Old inhaler"},"subject":{"reference":"\#(patient)"},"authoredOn":"2015-01-01"},"request":{"method":"POST","url":"MedicationRequest"}},
         {"fullUrl":"urn:uuid:00000000-0000-4000-8000-000000000010","resource":{"resourceType":"Condition","identifier":[{"value":"cond-1"}],"clinicalStatus":{"coding":[{"code":"active"}]},"code":{"coding":[{"system":"http://snomed.info/sct","code":"233604007","display":"Pneumonia"}]},"subject":{"reference":"\#(patient)"},"encounter":{"reference":"\#(encounter)"},"onsetDateTime":"\#(visitDate)"},"request":{"method":"POST","url":"Condition"}},
         {"fullUrl":"urn:uuid:00000000-0000-4000-8000-000000000011","resource":{"resourceType":"Observation","identifier":[{"value":"bp-1"}],"status":"final","category":[{"coding":[{"code":"vital-signs"}]}],"code":{"coding":[{"system":"http://loinc.org","code":"85354-9","display":"Blood pressure panel"}]},"subject":{"reference":"\#(patient)"},"encounter":{"reference":"\#(encounter)"},"effectiveDateTime":"\#(visitDate)T09:30:00Z","component":[{"code":{"coding":[{"system":"http://loinc.org","code":"8480-6"}]},"valueQuantity":{"value":128,"unit":"mmHg"}},{"code":{"coding":[{"system":"http://loinc.org","code":"8462-4"}]},"valueQuantity":{"value":84,"unit":"mmHg"}}]},"request":{"method":"POST","url":"Observation"}},
         {"fullUrl":"urn:uuid:00000000-0000-4000-8000-000000000012","resource":{"resourceType":"CarePlan","identifier":[{"value":"plan-1"}],"status":"active","intent":"plan","title":"Recovery after pneumonia","subject":{"reference":"\#(patient)"},"period":{"start":"\#(visitDate)"}},"request":{"method":"POST","url":"CarePlan"}},
         {"fullUrl":"urn:uuid:00000000-0000-4000-8000-000000000013","resource":{"resourceType":"Device","identifier":[{"value":"dev-1"}],"type":{"text":"Home blood pressure monitor"},"patient":{"reference":"\#(patient)"}},"request":{"method":"POST","url":"Device"}}
        ]}
        """#
        return Data(text.utf8)
    }
}
