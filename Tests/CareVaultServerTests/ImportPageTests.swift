import CareVaultCore
@testable import CareVaultServer
import CareVaultStore
import Foundation
import SQLKit
import Testing

@Suite("Staff import page")
struct ImportPageTests {
    static let synthea = try! [UInt8](Data(contentsOf: RecordImportTests.fixtures.appendingPathComponent("synthea-buster-hoeger.json")))

    static func counts(_ env: AppEnvironment) async throws -> (patients: Int64, resources: Int64) {
        try await env.database.read { sql in
            (try await sql.raw("SELECT COUNT(*) AS n FROM patients").first()!.decode(column: "n", as: Int64.self),
             try await sql.raw("SELECT COUNT(*) AS n FROM fhir_resources").first()!.decode(column: "n", as: Int64.self))
        }
    }

    static func temporaryUploads(_ env: AppEnvironment) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: env.configuration.temporaryDirectory.path)) ?? []
    }

    @Test("A clinician uploads a bundle and NDJSON files together; each is imported, reported and audited", arguments: testDatabases)
    func imports(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { client, env in
            let doctor = try await ReleaseWorkflowTests.staff(client, env, role: .clinician)
            let form = try await doctor.get(Paths.staffImport)
            #expect(form.status == .ok)
            #expect(form.body.contains(#"enctype="multipart/form-data""#))

            let ndjson = NDJSONImportTests.files
            let page = try await doctor.postMultipart(Paths.staffImport, files: [
                .init(name: "synthea.json", type: "application/fhir+json", bytes: Self.synthea),
            ] + ndjson.map { .init(name: $0.name, bytes: Array($0.data)) })
            #expect(page.status == .ok, "\(page.body)")
            #expect(page.body.contains("Buster Hoeger"))
            #expect(page.body.contains("66 new, 0 updated, 0 unchanged"))
            #expect(page.body.contains("Observation 33"))
            #expect(page.body.contains("ND-1") && page.body.contains("ND-2"))
            let patient = try #require(try await env.database.read { try await PatientRepository($0).find(mrn: "ad2e3fc5-2b5d-4cb9-8d03-9ea0f4ac8423", organization: try await PatientRepository($0).defaultOrganization()) })
            #expect(page.body.contains(Paths.patientHome(patient.id.description)))
            #expect(Self.temporaryUploads(env).isEmpty, "uploads were left behind")

            // The same files again change nothing.
            let again = try await doctor.postMultipart(Paths.staffImport, files: [.init(name: "synthea.json", bytes: Self.synthea)])
            #expect(again.body.contains("0 new, 0 updated, 66 unchanged"))

            let audited = try await env.database.read { sql in
                try await sql.raw("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'record.imported' AND actor_account IS NOT NULL").first()!.decode(column: "n", as: Int64.self)
            }
            #expect(audited == 4)  // the bundle twice, two NDJSON patients
        }
    }

    @Test("A broken bundle is reported and stores nothing; the other file still imports", arguments: testDatabases)
    func partialFailure(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { client, env in
            let doctor = try await ReleaseWorkflowTests.staff(client, env, role: .clinician)
            _ = try await doctor.get(Paths.staffImport)
            let broken = Array(String(decoding: RecordImportTests.smallBundle(effective: "yesterday"), as: UTF8.self).utf8)
            let page = try await doctor.postMultipart(Paths.staffImport, files: [.init(name: "broken.json", bytes: broken),
                                                                                .init(name: "good.json", bytes: Self.synthea)])
            #expect(page.status == .ok)
            #expect(page.body.contains("Not imported"))
            #expect(page.body.contains("entry 2, Observation, effectiveDateTime"))
            #expect(try await Self.counts(env).patients == 1)  // Buster only; the broken bundle's patient was not created

            let onlyBroken = try await doctor.postMultipart(Paths.staffImport, files: [.init(name: "broken.json", bytes: broken)])
            #expect(onlyBroken.status == .unprocessableContent)
        }
    }

    @Test("Refusals: no token, another file kind, too large, interrupted, no file, a patient — nothing stored, nothing left in tmp", arguments: testDatabases)
    func refusals(kind: DatabaseKind) async throws {
        try await TestApp.run(kind, configure: { $0.maxUploadBytes = 64 * 1024 }) { client, env in
            let doctor = try await ReleaseWorkflowTests.staff(client, env, role: .clinician)
            _ = try await doctor.get(Paths.staffImport)
            let small = Array(RecordImportTests.smallBundle())

            let noToken = try await doctor.postMultipart(Paths.staffImport, files: [.init(name: "a.json", bytes: small)], csrf: .some(nil))
            #expect(noToken.status == .forbidden)
            let wrongToken = try await doctor.postMultipart(Paths.staffImport, files: [.init(name: "a.json", bytes: small)], csrf: "forged")
            #expect(wrongToken.status == .forbidden)

            let exe = try await doctor.postMultipart(Paths.staffImport, files: [.init(name: "setup.exe", bytes: [0x4D, 0x5A, 0x90, 0x00])])
            #expect(exe.status == .unsupportedMediaType)
            #expect(exe.body.contains("setup.exe is not a .json or .ndjson file"))
            #expect(exe.body.contains(#"id="field-files-error""#))

            let big = try await doctor.postMultipart(Paths.staffImport, files: [.init(name: "synthea.json", bytes: Self.synthea)])
            #expect(big.status == .contentTooLarge)
            #expect(big.body.contains("synthea.json is larger than the 64 KB limit"))

            let cut = try await doctor.postMultipart(Paths.staffImport, files: [.init(name: "a.json", bytes: small)], cut: 200)
            #expect(cut.status == .badRequest)
            #expect(cut.body.contains("did not arrive complete"))

            let none = try await doctor.postMultipart(Paths.staffImport, files: [.init(name: "", bytes: [])])
            #expect(none.status == .badRequest)
            #expect(none.body.contains("Choose at least one"))

            #expect(try await Self.counts(env) == (0, 0))
            #expect(Self.temporaryUploads(env).isEmpty, "uploads were left behind: \(Self.temporaryUploads(env))")

            // A patient cannot import, nor even see the page.
            let patientBrowser = Browser(client)
            _ = try await Flows.signedInPatient(patientBrowser, env)
            #expect(try await patientBrowser.get(Paths.staffImport).status == .notFound)
            #expect(try await patientBrowser.postMultipart(Paths.staffImport, files: [.init(name: "a.json", bytes: small)]).status == .notFound)
            #expect(try await Self.counts(env).resources == 0)
        }
    }

    @Test("Multipart bodies skip the form-token check only on the routes registered as uploads, which check it themselves")
    func csrfScope() async throws {
        try await TestApp.run(.sqlite) { client, env in
            let browser = Browser(client)
            let (patient, _) = try await Flows.signedInPatient(browser, env)
            let id = patient.id.description
            _ = try await browser.get(Paths.readings(id, .weight))
            // A form route sent multipart without a token: refused before the handler, nothing stored.
            let reading = try await browser.postMultipart(Paths.readings(id, .weight), fields: [("value", "70"), ("unit", "kg")], files: [], csrf: .some(nil))
            #expect(reading.status == .forbidden)
            let signOut = try await browser.postMultipart(Paths.signOut, files: [], csrf: .some(nil))
            #expect(signOut.status == .forbidden)
            #expect(try await browser.get(Paths.patientHome(id)).status == .ok)  // still signed in
            // An upload route without a token: the receiver refuses it, nothing stored.
            let upload = try await browser.postMultipart(Paths.uploads(id), files: [.init(name: "a.txt", bytes: Array("hello".utf8))], csrf: .some(nil))
            #expect(upload.status == .forbidden)
            // With the token, both kinds work: the exemption is only where the receiver checks instead.
            let stored = try await browser.postMultipart(Paths.uploads(id), files: [.init(name: "a.txt", bytes: Array("hello".utf8))])
            #expect(stored.status == .ok || stored.status == .seeOther || stored.status == .created, "\(stored.status)")
            let uploads = try await env.database.read { sql in
                try await sql.raw("SELECT COUNT(*) AS n FROM uploads").first()!.decode(column: "n", as: Int64.self)
            }
            let readings = try await env.database.read { sql in
                try await sql.raw("SELECT COUNT(*) AS n FROM fhir_resources WHERE resource_type = 'Observation'").first()!.decode(column: "n", as: Int64.self)
            }
            #expect(uploads == 1)
            #expect(readings == 0)
        }
        #expect(Paths.MultipartRoutes.matched == [Paths.staffImport, "/patients/{patient}/uploads", "/patients/{patient}/reading-imports"])
    }
}
