import CareVaultCore
import Foundation
import Testing

@Suite("Provenance: one builder for every writer")
struct ProvenanceRecordTests {
    static let patient = PatientID(UUID(uuidString: "6a1f0c1e-0000-4000-8000-000000000001")!)
    static let at = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("Every kind of writer gives a valid R4 Provenance naming its targets, the time and who acted", arguments: [
        (ProvenanceRecord.Activity.imported, ProvenanceRecord.Agent.importer(source: "bundle.json"), "assembler", "CareVault import"),
        (.uploaded, .patient(patient), "author", "Patient/6a1f0c1e-0000-4000-8000-000000000001"),
        (.contributed("Added by the patient"), .patient(patient), "author", "Patient/6a1f0c1e-0000-4000-8000-000000000001"),
        (.contributed("Added by a proxy"), .proxy(displayName: "Ana Lopez"), "author", "Ana Lopez"),
        (.verified, .verifier(displayName: "Dr Okafor"), "verifier", "Dr Okafor"),
    ])
    func shape(activity: ProvenanceRecord.Activity, agent: ProvenanceRecord.Agent, code: String, who: String) throws {
        let record = ProvenanceRecord(targets: ["Observation/a", "Binary/b"], recorded: Self.at, activity: activity, agent: agent)
        let json = record.json
        let report = FHIRElementValidator().check(resource: json)
        #expect(report.errors.isEmpty && report.unknownElements.isEmpty, "\(report.errors) \(report.unknownElements)")
        #expect(json["id"]?.stringValue == record.id)
        #expect(ProvenanceTargets.references(in: json) == ["Observation/a", "Binary/b"])
        #expect(json["recorded"]?.stringValue == "2027-01-15T08:00:00Z")
        #expect(json["meta"]?["versionId"]?.stringValue == "1")
        let agentJSON = json["agent"]?.arrayValue?.first
        #expect(agentJSON?["type"]?["coding"]?.arrayValue?.first?["code"]?.stringValue == code)
        #expect((agentJSON?["who"]?["reference"] ?? agentJSON?["who"]?["display"])?.stringValue == who)
        // Only an import names where the data came from.
        #expect((json["entity"] != nil) == (activity == .imported))
    }

    @Test("A proxy is never recorded as the patient")
    func proxyIsNotThePatient() {
        let json = ProvenanceRecord(targets: ["AllergyIntolerance/x"], recorded: Self.at, activity: .contributed("Added"),
                                    agent: .proxy(displayName: "Ana Lopez")).json
        let who = json["agent"]?.arrayValue?.first?["who"]
        #expect(who?["reference"] == nil)
        #expect(json["agent"]?.arrayValue?.first?["type"]?["text"]?.stringValue == "Provided by the patient's proxy")
    }
}
