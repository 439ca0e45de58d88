import CareVaultCore
@testable import CareVaultServer
import CareVaultStore
import Foundation
import SQLKit
import Testing

@Suite("NDJSON import")
struct NDJSONImportTests {
    static func patient(_ id: String, mrn: String, family: String) -> String {
        #"{"resourceType":"Patient","id":"\#(id)","identifier":[{"type":{"coding":[{"code":"MR"}]},"system":"urn:x","value":"\#(mrn)"}],"name":[{"family":"\#(family)","given":["Kim"]}],"birthDate":"1990-01-02"}"#
    }
    static func observation(_ id: String, patient: String, value: String) -> String {
        #"{"resourceType":"Observation","id":"\#(id)","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"8867-4"}]},"subject":{"reference":"Patient/\#(patient)"},"performer":[{"reference":"Practitioner/dr1"}],"effectiveDateTime":"2024-01-01","valueQuantity":{"value":\#(value),"unit":"/min"}}"#
    }
    static let files: [(name: String, data: Data)] = [
        ("Patient.ndjson", Data([patient("p1", mrn: "ND-1", family: "One"), patient("p2", mrn: "ND-2", family: "Two")].joined(separator: "\n").utf8)),
        ("Observation.ndjson", Data([observation("o1", patient: "p1", value: "60"), observation("o2", patient: "p1", value: "61"),
                                     observation("o3", patient: "p2", value: "70"), ""].joined(separator: "\n").utf8)),
        ("Practitioner.ndjson", Data(#"{"resourceType":"Practitioner","id":"dr1","name":[{"family":"Who"}]}"#.utf8)),
    ]

    @Test("Resources are grouped per patient, shared ones included; a re-import changes nothing", arguments: testDatabases)
    func grouped(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { _, env in
            let service = RecordImportService(env: env)
            let summaries = try await service.importNDJSON(Self.files, by: nil, info: .commandLine)
            #expect(summaries.map(\.patient.mrn) == ["ND-1", "ND-2"])
            #expect(summaries[0].counts == ["Patient": 1, "Observation": 2, "Practitioner": 1])
            #expect(summaries[1].counts == ["Patient": 1, "Observation": 1, "Practitioner": 1])
            let practitioners = try await env.database.read { sql in
                try await sql.raw("SELECT COUNT(*) AS n FROM fhir_resources WHERE resource_type = 'Practitioner'").first()!.decode(column: "n", as: Int64.self)
            }
            #expect(practitioners == 1)
            let observation = try #require(try await env.database.read { sql in
                try await FHIRResourceRepository(sql).all(patientScope: summaries[0].patient.id.description).first { $0.resourceType == "Observation" }
            })
            #expect(observation.json.contains(#""subject":{"reference":"Patient/\#(summaries[0].patient.id)"}"#))
            #expect(!observation.json.contains("Practitioner/dr1"))

            let again = try await service.importNDJSON(Self.files, by: nil, info: .commandLine)
            #expect(again.allSatisfy { $0.created == 0 && $0.updated == 0 })
        }
    }

    @Test("A line that cannot be read is named by file and line, and nothing is stored", arguments: testDatabases)
    func badLine(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { _, env in
            var files = Self.files
            files[1].data.append(Data("\n{\"resourceType\": \"Observation\", oops}".utf8))
            do {
                _ = try await RecordImportService(env: env).importNDJSON(files, by: nil, info: .commandLine)
                Issue.record("a broken NDJSON file was accepted")
            } catch let error as BundleImportError {
                #expect(error.field == "Observation.ndjson")
                #expect(error.entry == 5)
                #expect(error.message.contains("invalid JSON"))
            }
            let count = try await env.database.read { try await $0.raw("SELECT COUNT(*) AS n FROM fhir_resources").first()!.decode(column: "n", as: Int64.self) }
            #expect(count == 0)

            let orphan: [(name: String, data: Data)] = [("Observation.ndjson", Data(Self.observation("o9", patient: "nobody", value: "1").utf8))]
            await #expect(throws: BundleImportError.self) {
                _ = try await RecordImportService(env: env).importNDJSON(orphan, by: nil, info: .commandLine)
            }
        }
    }
}
