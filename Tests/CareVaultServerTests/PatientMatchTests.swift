import CareVaultCore
@testable import CareVaultServer
import CareVaultStore
import Foundation
import SQLKit
import Testing

/// An import attaches a bundle to an existing record only when the patient ID matches by system and
/// value and the name and birth date agree, or a clinician confirmed the same person. Before this,
/// a bundle for one person carrying another's MRN went into his record and renamed his Patient.
@Suite("Import patient matching")
struct PatientMatchTests {
    /// The small bundle (SMALL-1 in urn:clinic, Aiko Ōtsuka, 1988-07-01) with another person's details or identifier.
    static func bundle(given: String = "Aiko", family: String = "Ōtsuka", birthDate: String = "1988-07-01", system: String = "urn:clinic",
                       typedMR: Bool = true) -> Data {
        var text = String(decoding: RecordImportTests.smallBundle(), as: UTF8.self)
            .replacingOccurrences(of: #""family":"Ōtsuka","given":["Aiko"]}],"birthDate":"1988-07-01""#,
                                  with: #""family":"\#(family)","given":["\#(given)"]}],"birthDate":"\#(birthDate)""#)
            .replacingOccurrences(of: #""system":"urn:clinic","value":"SMALL-1""#, with: #""system":"\#(system)","value":"SMALL-1""#)
        if !typedMR {
            text = text.replacingOccurrences(of: #""type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0203","code":"MR"}]},"#, with: "")
        }
        return Data(text.utf8)
    }

    static func resources(_ env: AppEnvironment) async throws -> Int64 {
        try await env.database.read { try await $0.raw("SELECT COUNT(*) AS n FROM fhir_resources").first()!.decode(column: "n", as: Int64.self) }
    }

    static func storedPatient(_ env: AppEnvironment, _ id: PatientID) async throws -> JSONValue {
        let json = try await env.database.read { sql in
            try await sql.raw("SELECT json FROM fhir_resources WHERE resource_type = 'Patient' AND id = \(bind: id.description)").first()!
                .decode(column: "json", as: String.self)
        }
        return try JSONParser.parse(json)
    }

    @Test("Another person's bundle carrying a known patient ID is refused whole, naming the ID and what differs", arguments: testDatabases)
    func otherPerson(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { _, env in
            let service = RecordImportService(env: env)
            let first = try await service.importBundle(Self.bundle(), source: "aiko.json", by: nil, info: .commandLine)
            let before = try await Self.resources(env)
            await #expect(throws: ImportPatientMismatch(patientID: "SMALL-1", system: "urn:clinic", differences: ["name", "birth date"])) {
                try await service.importBundle(Self.bundle(given: "Jane", family: "Doe", birthDate: "1990-05-05"), source: "jane.json",
                                               by: nil, info: .commandLine)
            }
            await #expect(throws: ImportPatientMismatch(patientID: "SMALL-1", system: "urn:clinic", differences: ["birth date"])) {
                try await service.importBundle(Self.bundle(birthDate: "1988-07-02"), source: "aiko-typo.json", by: nil, info: .commandLine)
            }
            #expect(try await Self.resources(env) == before, "part of a refused bundle was stored")
            let patient = try await Self.storedPatient(env, first.patient.id)
            #expect(patient["name"]?.arrayValue?.first?["given"]?.arrayValue?.first?.stringValue == "Aiko", "the Patient was renamed")
            let row = try #require(try await env.database.read { try await PatientRepository($0).find(id: first.patient.id) })
            #expect(row.fullName == "Aiko Ōtsuka" && row.birthDate.description == "1988-07-01")

            // Case, accents and spacing are not differences.
            let same = try await service.importBundle(Self.bundle(given: "AIKO", family: "OTSUKA"), source: "aiko-again.json", by: nil, info: .commandLine)
            #expect(same.patient.id == first.patient.id && same.demographicChanges.isEmpty)
        }
    }

    @Test("The same value in another system, or no identifier typed MR, is not a match", arguments: testDatabases)
    func identifierSystem(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { _, env in
            let service = RecordImportService(env: env)
            _ = try await service.importBundle(Self.bundle(), source: "aiko.json", by: nil, info: .commandLine)
            let before = try await Self.resources(env)
            await #expect(throws: BundleImportError.self) {
                try await service.importBundle(Self.bundle(system: "urn:other-hospital"), source: "other.json", by: nil, info: .commandLine)
            }
            do {
                _ = try await service.importBundle(Self.bundle(typedMR: false), source: "untyped.json", by: nil, info: .commandLine)
                Issue.record("a bundle without an MR identifier was imported")
            } catch let error as BundleImportError {
                #expect(error.field == "identifier" && error.description.contains("has no identifier typed MR"))
            }
            #expect(try await Self.resources(env) == before)

            // An administrator names the clinic's patient-ID system: the identifier in it is the patient ID, typed or not.
            try await OrganizationSettingsService(env: env).setPatientIDSystem("urn:clinic", by: nil, info: .commandLine)
            let matched = try await service.importBundle(Self.bundle(typedMR: false), source: "untyped.json", by: nil, info: .commandLine)
            #expect(!matched.patientCreated && matched.patient.mrn == "SMALL-1")
            let audit = try await env.database.read { try await AuditLogRepository($0, kind: kind).latest(limit: 5) }
            #expect(audit.contains { $0.event.action == .patientIDSystemChanged })
        }
    }

    @Test("A patient ID staff entered without a system takes the first system an import brings", arguments: testDatabases)
    func staffEntered(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { _, env in
            let (existing, _) = try await Flows.patientRecord(env, mrn: "SMALL-1", given: "Aiko", family: "Otsuka", birthDate: "1988-07-01")
            #expect(existing.mrnSystem.isEmpty)
            let summary = try await RecordImportService(env: env).importBundle(Self.bundle(), source: "aiko.json", by: nil, info: .commandLine)
            #expect(summary.patient.id == existing.id)
            let row = try #require(try await env.database.read { try await PatientRepository($0).find(id: existing.id) })
            #expect(row.mrnSystem == "urn:clinic")
        }
    }

    @Test("Confirmed as the same person: the record takes the bundle's details as a new Patient version, listed and audited", arguments: testDatabases)
    func confirmed(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { _, env in
            let service = RecordImportService(env: env)
            let first = try await service.importBundle(Self.bundle(), source: "aiko.json", by: nil, info: .commandLine)
            let married = Self.bundle(family: "Tanaka")
            let dry = try await service.importBundle(married, source: "tanaka.json", by: nil, info: .commandLine,
                                                     options: .init(samePerson: ["SMALL-1"], dryRun: true))
            #expect(dry.dryRun && dry.demographicChanges == ["name: Aiko Ōtsuka → Aiko Tanaka"])
            #expect(try await Self.storedPatient(env, first.patient.id)["meta"]?["versionId"]?.stringValue == "1", "a dry run stored something")

            let summary = try await service.importBundle(married, source: "tanaka.json", by: nil, info: .commandLine, options: .init(samePerson: ["SMALL-1"]))
            #expect(summary.patient.id == first.patient.id)
            #expect(summary.demographicChanges == ["name: Aiko Ōtsuka → Aiko Tanaka"])
            let patient = try await Self.storedPatient(env, first.patient.id)
            #expect(patient["meta"]?["versionId"]?.stringValue == "2")
            #expect(patient["name"]?.arrayValue?.first?["family"]?.stringValue == "Tanaka")
            #expect(try await env.database.read { try await PatientRepository($0).find(id: first.patient.id) }?.familyName == "Tanaka")
            let audit = try await env.database.read { try await AuditLogRepository($0, kind: kind).latest(limit: 5) }
            #expect(audit.contains { $0.event.action == .importMatchConfirmed && $0.event.patient == first.patient.id })
        }
    }

    @Test("On the import page a refused match offers a tick box; ticked, the same file imports", arguments: testDatabases)
    func importPage(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { client, env in
            _ = try await RecordImportService(env: env).importBundle(Self.bundle(), source: "aiko.json", by: nil, info: .commandLine)
            let doctor = try await ReleaseWorkflowTests.staff(client, env, role: .clinician)
            _ = try await doctor.get(Paths.staffImport)
            let file = Browser.UploadFile(name: "tanaka.json", bytes: Array(Self.bundle(family: "Tanaka", birthDate: "1988-07-11")))
            let refused = try await doctor.postMultipart(Paths.staffImport, files: [file])
            #expect(refused.status == .unprocessableContent)
            #expect(refused.body.contains("patient ID SMALL-1 (urn:clinic) belongs to a record whose name and birth date differ"))
            #expect(refused.body.contains(#"name="same_person" value="SMALL-1""#))
            let accepted = try await doctor.postMultipart(Paths.staffImport, fields: [("same_person", "SMALL-1")], files: [file])
            #expect(accepted.status == .ok, "\(accepted.body)")
            #expect(accepted.body.contains("Confirmed as the same person"))
            #expect(accepted.body.contains("birth date: 1988-07-01 → 1988-07-11"))
        }
    }

    @Test("carevault import --dry-run says what would happen and stores nothing; --same-person confirms", arguments: testDatabases)
    func cli(kind: DatabaseKind) async throws {
        let site = try await CLITests.Installation.make(kind)
        defer { site.remove() }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("match-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let aiko = folder.appendingPathComponent("aiko.json"), jane = folder.appendingPathComponent("jane.json")
        try Self.bundle().write(to: aiko)
        try Self.bundle(given: "Jane", family: "Doe", birthDate: "1990-05-05").write(to: jane)

        let dry = try site.run(["import", "--dry-run", aiko.path])
        #expect(dry.status == 0, "\(dry.output)")
        #expect(dry.output.contains("aiko.json: patient SMALL-1 Aiko Ōtsuka (would be created)"))
        #expect(dry.output.contains("dry run: nothing stored"))
        let real = try site.run(["import", aiko.path])
        #expect(real.output.contains("patient SMALL-1 Aiko Ōtsuka (new)"), "the dry run stored the patient: \(real.output)")

        let refused = try site.run(["import", "--dry-run", jane.path])
        #expect(refused.status != 0)
        #expect(refused.output.contains("jane.json: would be refused: Patient, identifier: patient ID SMALL-1 (urn:clinic) belongs to a record whose name and birth date differ"))
        #expect(refused.output.contains("--same-person SMALL-1"))
        let confirmed = try site.run(["import", "--same-person", "SMALL-1", jane.path])
        #expect(confirmed.status == 0, "\(confirmed.output)")
        #expect(confirmed.output.contains("confirmed same person; name: Aiko Ōtsuka → Jane Doe"))
    }
}
