import CareVaultCore
@testable import CareVaultServer
import CareVaultStore
import Foundation
import SQLKit
import Testing

@Suite("Health record import")
struct RecordImportTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static var synthea: Data { get throws { try Data(contentsOf: fixtures.appendingPathComponent("synthea-buster-hoeger.json")) } }

    /// A small bundle: a patient, an encounter and a lab result with a decimal whose precision matters.
    static func smallBundle(value: String = "4.50", effective: String = "2024-03-05T09:30:00Z") -> Data {
        Data("""
        {"resourceType":"Bundle","type":"transaction","entry":[
          {"fullUrl":"urn:uuid:11111111-1111-1111-1111-111111111111","resource":{"resourceType":"Patient",
            "identifier":[{"type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0203","code":"MR"}]},"system":"urn:clinic","value":"SMALL-1"}],
            "name":[{"family":"Ōtsuka","given":["Aiko"]}],"birthDate":"1988-07-01"},"request":{"method":"POST","url":"Patient"}},
          {"fullUrl":"urn:uuid:22222222-2222-2222-2222-222222222222","resource":{"resourceType":"Encounter","status":"finished","class":{"code":"AMB"},
            "identifier":[{"system":"urn:clinic:enc","value":"E-1"}],
            "subject":{"reference":"urn:uuid:11111111-1111-1111-1111-111111111111"},"period":{"start":"2024-03-05T09:00:00Z","end":"2024-03-05T10:00:00Z"}},
            "request":{"method":"POST","url":"Encounter"}},
          {"fullUrl":"urn:uuid:33333333-3333-3333-3333-333333333333","resource":{"resourceType":"Observation","status":"final",
            "identifier":[{"system":"urn:clinic:obs","value":"O-1"}],
            "category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"laboratory"}]}],
            "code":{"coding":[{"system":"http://loinc.org","code":"2823-3","display":"Potassium"}]},
            "subject":{"reference":"urn:uuid:11111111-1111-1111-1111-111111111111"},
            "encounter":{"reference":"urn:uuid:22222222-2222-2222-2222-222222222222"},
            "effectiveDateTime":"\(effective)","valueQuantity":{"value":\(value),"unit":"mmol/L"},
            "extension":[{"url":"urn:example:unknown","valueString":"kept"}]},
            "request":{"method":"POST","url":"Observation"}}
        ]}
        """.utf8)
    }

    @Test("A Synthea bundle imports with every reference resolved to stored resources", arguments: testDatabases)
    func synthea(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { _, env in
            let summary = try await RecordImportService(env: env).importBundle(try Self.synthea, source: "buster.json", by: nil, info: .commandLine)
            #expect(summary.patientCreated)
            #expect(summary.patient.mrn == "ad2e3fc5-2b5d-4cb9-8d03-9ea0f4ac8423")
            #expect(summary.patient.fullName == "Buster Hoeger")
            #expect(summary.created == 66)
            #expect(summary.counts["Observation"] == 33)

            let scope = summary.patient.id.description
            let stored = try await env.database.read { try await FHIRResourceRepository($0).all(patientScope: scope) }
            #expect(stored.filter { $0.resourceType == "Observation" }.count == 33)
            #expect(stored.contains { $0.resourceType == "Provenance" && $0.source == "import:buster.json" })
            let patient = try #require(stored.first { $0.resourceType == "Patient" })
            #expect(patient.id == scope)

            // Every urn:uuid reference now names a stored resource.
            for resource in stored {
                let json = try JSONParser.parse(resource.json)
                #expect(!resource.json.contains("urn:uuid:"), "\(resource.resourceType)/\(resource.id) kept a urn:uuid reference")
                #expect(json["meta"]?["versionId"] == .string("1"))
            }
            let observation = try JSONParser.parse(try #require(stored.first { $0.resourceType == "Observation" }).json)
            #expect(observation["subject"]?["reference"]?.stringValue == "Patient/\(scope)")
            let encounterRef = try #require(observation["encounter"]?["reference"]?.stringValue)
            let encounterID = String(encounterRef.dropFirst("Encounter/".count))
            #expect(try await env.database.read { try await FHIRResourceRepository($0).find(type: "Encounter", id: encounterID) } != nil)
        }
    }

    @Test("Importing the same data again changes nothing; a changed resource becomes version 2", arguments: testDatabases)
    func idempotentAndVersioned(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { _, env in
            let service = RecordImportService(env: env)
            let first = try await service.importBundle(Self.smallBundle(), source: "a.json", by: nil, info: .commandLine)
            #expect(first.created == 3)
            let again = try await service.importBundle(Self.smallBundle(), source: "a.json", by: nil, info: .commandLine)
            #expect(again.unchanged == 3)
            #expect(again.created == 0)
            #expect(!again.patientCreated)
            let scope = first.patient.id.description
            #expect(try await env.database.read { try await FHIRResourceRepository($0).counts(patientScope: scope) }["Observation"] == 1)

            let changed = try await service.importBundle(Self.smallBundle(value: "4.75"), source: "b.json", by: nil, info: .commandLine)
            #expect(changed.updated == 1)
            #expect(changed.unchanged == 2)
            let observation = try #require(try await env.database.read { sql in
                try await FHIRResourceRepository(sql).all(patientScope: scope).first { $0.resourceType == "Observation" }
            })
            #expect(observation.versionID == 2)
            #expect(observation.source == "import:b.json")
            let history = try await env.database.read { try await FHIRResourceRepository($0).history(type: "Observation", id: observation.id) }
            #expect(history.map(\.versionID) == [1])
            #expect(history.first?.json.contains("\"value\":4.50") == true)
            #expect(observation.json.contains("\"value\":4.75"))
        }
    }

    @Test("Stored JSON keeps decimals as written, unknown extensions and non-Latin names", arguments: testDatabases)
    func lossless(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { _, env in
            let summary = try await RecordImportService(env: env).importBundle(Self.smallBundle(), source: "a.json", by: nil, info: .commandLine)
            let stored = try await env.database.read { try await FHIRResourceRepository($0).all(patientScope: summary.patient.id.description) }
            let observation = try #require(stored.first { $0.resourceType == "Observation" })
            #expect(observation.json.contains(#""valueQuantity":{"value":4.50,"unit":"mmol/L"}"#))
            #expect(observation.json.contains(#""extension":[{"url":"urn:example:unknown","valueString":"kept"}]"#))
            #expect(stored.first { $0.resourceType == "Patient" }?.json.contains("Ōtsuka") == true)
            #expect(summary.patient.familyName == "Ōtsuka")
        }
    }

    @Test("A bundle with one broken entry stores nothing and names the entry, type and field", arguments: testDatabases)
    func atomic(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { _, env in
            do {
                _ = try await RecordImportService(env: env).importBundle(Self.smallBundle(effective: "last Tuesday"), source: "bad.json",
                                                                         by: nil, info: .commandLine)
                Issue.record("a broken bundle was accepted")
            } catch let error as BundleImportError {
                #expect(error == BundleImportError(entry: 2, resourceType: "Observation", field: "effectiveDateTime",
                                                   message: "is not a date-time (YYYY-MM-DD or YYYY-MM-DDThh:mm:ss+zz:zz)"))
                #expect(error.description == "entry 2, Observation, effectiveDateTime: is not a date-time (YYYY-MM-DD or YYYY-MM-DDThh:mm:ss+zz:zz)")
            }
            let (patients, resources) = try await env.database.read { sql in
                (try await sql.raw("SELECT COUNT(*) AS n FROM patients").first()!.decode(column: "n", as: Int64.self),
                 try await sql.raw("SELECT COUNT(*) AS n FROM fhir_resources").first()!.decode(column: "n", as: Int64.self))
            }
            #expect(patients == 0)
            #expect(resources == 0)

            for (text, field) in [("{", "JSON"), (#"{"resourceType":"Patient"}"#, "resourceType"),
                                  (#"{"resourceType":"Bundle","type":"history","entry":[]}"#, "type"),
                                  (#"{"resourceType":"Bundle","type":"collection","entry":[{"resource":{"resourceType":"Observation","id":"bad id!"}}]}"#, "id"),
                                  (#"{"resourceType":"Bundle","type":"collection","entry":[{"resource":{"resourceType":"Observation","status":"final","code":{"text":"x"}}}]}"#, "entry")] {
                await #expect(throws: BundleImportError.self) {
                    _ = try await RecordImportService(env: env).importBundle(Data(text.utf8), source: "x", by: nil, info: .commandLine)
                }
                do {
                    _ = try await RecordImportService(env: env).importBundle(Data(text.utf8), source: "x", by: nil, info: .commandLine)
                } catch let error as BundleImportError {
                    #expect(error.field == field, "\(text)")
                }
            }
        }
    }

    @Test("Inferno's US Core bundle: an element R4 lacks is kept and reported; three resources sharing one identifier stay three", arguments: testDatabases)
    func infernoBundle(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { _, env in
            let path = Self.fixtures.appendingPathComponent("inferno-us-quality-core-bundle.json").path
            // First from the mapped file (entry by entry), then from memory: both read the same.
            let first = try await RecordImportService(env: env).importBundle(fileAt: path, source: "inferno.json", by: nil, info: .commandLine)
            #expect(first.created == 98)
            #expect(first.counts["Immunization"] == 3 && first.counts["Task"] == 3)
            #expect(first.unknownElements == [BundleImportPlan.UnknownElement(entry: 1, resourceType: "Media", path: "content.link")])
            let stored = try await env.database.read { try await FHIRResourceRepository($0).all(patientScope: first.patient.id.description) }
            #expect(stored.filter { $0.resourceType == "Immunization" }.count == 3)
            let media = try #require(stored.first { $0.resourceType == "Media" })
            #expect(try JSONParser.parse(media.json)["content"]?["link"] != nil, "the unknown element was dropped")

            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            let again = try await RecordImportService(env: env).importBundle(data, source: "inferno.json", by: nil, info: .commandLine)
            #expect(again.unchanged == 98 && again.created == 0 && again.updated == 0)
        }
    }

    @Test("A file whose third entry is broken JSON stores nothing and names the entry", arguments: testDatabases)
    func brokenEntryInFile(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { _, env in
            let text = String(decoding: Self.smallBundle(), as: UTF8.self)
                .replacingOccurrences(of: #""resourceType":"Observation","status":"final""#, with: #""resourceType":"Observation","status":final"#)
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("broken-\(UUID().uuidString).json").path
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            defer { try? FileManager.default.removeItem(atPath: path) }
            do {
                _ = try await RecordImportService(env: env).importBundle(fileAt: path, source: "broken.json", by: nil, info: .commandLine)
                Issue.record("a broken file was accepted")
            } catch let error as BundleImportError {
                #expect(error.entry == 2 && error.field == "JSON", "\(error)")
            }
            await #expect(throws: BundleImportError(entry: nil, resourceType: nil, field: "file", message: "cannot be read")) {
                _ = try await RecordImportService(env: env).importBundle(fileAt: "/no/such.json", source: "x", by: nil, info: .commandLine)
            }
            let resources = try await env.database.read { try await $0.raw("SELECT COUNT(*) AS n FROM fhir_resources").first()!.decode(column: "n", as: Int64.self) }
            #expect(resources == 0)
        }
    }

    @Test("The same resource twice in one bundle is refused, naming the second entry")
    func duplicateEntry() throws {
        let patient = #"{"resource":{"resourceType":"Patient","identifier":[{"value":"D-1"}],"name":[{"family":"Ng","given":["Al"]}],"birthDate":"1990-01-01"}}"#
        let observation = #"{"resource":{"resourceType":"Observation","id":"o1","status":"final","code":{"text":"x"}}}"#
        let bundle = try JSONParser.parse(#"{"resourceType":"Bundle","type":"collection","entry":[\#(patient),\#(observation),\#(observation)]}"#)
        #expect(throws: BundleImportError(entry: 2, resourceType: "Observation", field: "id", message: "the same resource appears more than once in this bundle")) {
            try BundleImportPlan(bundle: bundle)
        }
    }

    @Test("An import matches an existing patient by patient ID, and is audited", arguments: testDatabases)
    func matchesPatient(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { _, env in
            let (existing, _) = try await Flows.patientRecord(env, mrn: "SMALL-1", given: "Aiko", family: "Otsuka", birthDate: "1988-07-01")
            let summary = try await RecordImportService(env: env).importBundle(Self.smallBundle(), source: "a.json", by: nil, info: .commandLine)
            #expect(!summary.patientCreated)
            #expect(summary.patient.id == existing.id)
            let audit = try await env.database.read { try await AuditLogRepository($0, kind: kind).latest(limit: 1) }
            #expect(audit.first?.event.action == .recordImported)
            #expect(audit.first?.event.patient == existing.id)
        }
    }

    @Test("carevault import prints per patient and exits non-zero for a bad bundle", arguments: testDatabases)
    func cli(kind: DatabaseKind) async throws {
        let site = try await CLITests.Installation.make(kind)
        defer { site.remove() }
        let good = try site.run(["import", Self.fixtures.appendingPathComponent("synthea-buster-hoeger.json").path])
        #expect(good.status == 0, "\(good.output)")
        #expect(good.output.contains("patient ad2e3fc5-2b5d-4cb9-8d03-9ea0f4ac8423 Buster Hoeger (new)"))
        #expect(good.output.contains("Observation 33"))
        #expect(good.output.contains("66 new, 0 updated, 0 unchanged"))
        let again = try site.run(["import", Self.fixtures.appendingPathComponent("synthea-buster-hoeger.json").path])
        #expect(again.output.contains("0 new, 0 updated, 66 unchanged"))

        let badPath = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(UUID().uuidString).json").path
        try Self.smallBundle(effective: "soon").write(to: URL(fileURLWithPath: badPath))
        defer { try? FileManager.default.removeItem(atPath: badPath) }
        let bad = try site.run(["import", badPath])
        #expect(bad.status != 0)
        #expect(bad.output.contains("not imported (nothing stored): entry 2, Observation, effectiveDateTime"))
        let missing = try site.run(["import", "/no/such/file.json"])
        #expect(missing.status != 0)
        #expect(missing.output.contains("/no/such/file.json: no such file or folder"))
    }
}
