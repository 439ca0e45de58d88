import CareVaultCore
@testable import CareVaultServer
import CareVaultStore
import Foundation
import Testing

/// An import's Provenance is visible to the patient at once; it used to list the ids and types of
/// results still held for release, through `$everything`, a FHIR read and the export.
@Suite("Provenance and release")
struct ProvenanceReleaseTests {
    @Test("A Provenance names only the items its reader may see; the clinician sees them all", arguments: testDatabases)
    func heldTargets(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { client, env in
            try await env.database.write { try await RecordReleaseRepository($0).setRule(.afterSignOff, for: .labs, by: "test", at: 0) }
            let (browser, patient) = try await FHIREverythingTests.importedPatient(client, env)
            let held = try await env.database.read { sql in
                try await FHIRResourceRepository(sql).all(patientScope: patient.id.description).filter { $0.availableAt == nil }
            }
            #expect(!held.isEmpty, "the lab results should be held")
            let heldReferences = held.map { "\($0.resourceType)/\($0.id)" }

            let everything = try await browser.get("/fhir/Patient/\(patient.id)/$everything")
            let provenance = try #require(try JSONParser.parse(everything.body)["entry"]?.arrayValue?
                .compactMap { $0["resource"] }.first { $0["resourceType"]?.stringValue == "Provenance" })
            let targets = ProvenanceTargets.references(in: provenance)
            #expect(!targets.isEmpty)
            #expect(Set(targets).isDisjoint(with: heldReferences), "held items are named in the patient's Provenance")
            for reference in heldReferences { #expect(!everything.body.contains(reference.split(separator: "/")[1])) }

            let id = try #require(provenance["id"]?.stringValue)
            let read = try await browser.get("/fhir/Provenance/\(id)")
            #expect(read.status == .ok)
            #expect(Set(ProvenanceTargets.references(in: try JSONParser.parse(read.body))).isDisjoint(with: heldReferences))

            let doctor = try await ReleaseWorkflowTests.staff(client, env, role: .clinician)
            let full = try JSONParser.parse(try await doctor.get("/fhir/Provenance/\(id)").body)
            #expect(Set(heldReferences).isSubset(of: ProvenanceTargets.references(in: full)))
        }
    }

    @Test("A Provenance whose every target is held is not shown")
    func allHeld() throws {
        let provenance = try JSONParser.parse(#"{"resourceType":"Provenance","target":[{"reference":"Observation/a"},{"reference":"Observation/b"}]}"#)
        #expect(ProvenanceTargets.visible(provenance) { _ in false } == nil)
        #expect(ProvenanceTargets.visible(provenance) { $0 == "Observation/b" }.map(ProvenanceTargets.references(in:)) == ["Observation/b"])
        #expect(ProvenanceTargets.visible(provenance) { _ in true } == provenance)
    }
}
