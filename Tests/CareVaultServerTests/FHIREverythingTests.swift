import CareVaultCore
@testable import CareVaultServer
import CareVaultStore
import Foundation
import HummingbirdTesting
import SQLKit
import Testing

@Suite("FHIR Patient/$everything")
struct FHIREverythingTests {
    /// Imports the Synthea bundle, gives its patient an account, and signs them in.
    static func importedPatient(_ client: any TestClientProtocol, _ env: AppEnvironment) async throws -> (Browser, Patient) {
        let summary = try await RecordImportService(env: env).importBundle(try RecordImportTests.synthea, source: "buster.json", by: nil, info: .commandLine)
        let code = try await AccountService(env: env).issueActivationCode(for: summary.patient, by: nil, info: .commandLine)
        let browser = Browser(client)
        try await Flows.register(browser, code: code.display, birthDate: summary.patient.birthDate.description, email: "buster@example.org")
        try await Flows.signIn(browser, email: "buster@example.org")
        return (browser, summary.patient)
    }

    @Test("A patient downloads their whole record as a Bundle; every resource read is audited", arguments: testDatabases)
    func ownRecord(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { client, env in
            let (browser, patient) = try await Self.importedPatient(client, env)
            let page = try await browser.get("/fhir/Patient/\(patient.id)/$everything")
            #expect(page.status == .ok)
            #expect(page.headers[.contentType] == "application/fhir+json")
            let bundle = try JSONParser.parse(page.body)
            #expect(bundle["resourceType"] == .string("Bundle"))
            #expect(bundle["type"] == .string("searchset"))
            let entries = try #require(bundle["entry"]?.arrayValue)
            let matches = entries.filter { $0["search"]?["mode"] == .string("match") }
            let includes = entries.filter { $0["search"]?["mode"] == .string("include") }
            #expect(matches.count == 65)  // 64 patient resources + the import's Provenance; Organization and Practitioner are shared
            #expect(bundle["total"] == .number("65"))
            #expect(Set(includes.compactMap { $0["resource"]?["resourceType"]?.stringValue }) == ["Organization", "Practitioner"])
            #expect(matches.contains { $0["resource"]?["id"] == .string(patient.id.description) })
            #expect(entries.allSatisfy { $0["fullUrl"]?.stringValue?.hasPrefix("http://127.0.0.1:8080/fhir/") == true })
            // As stored: a second parse of any resource equals what the store holds.
            let stored = try await env.database.read { try await FHIRResourceRepository($0).all(patientScope: patient.id.description) }
            let observation = try #require(stored.first { $0.resourceType == "Observation" })
            #expect(page.body.contains(observation.json))

            // One event for the request, naming every resource the Bundle holds.
            let events = try await AuditTrail.events(env, action: .recordRead, patient: patient.id, basis: "self")
            #expect(events.count == 1 && events.first?.resourceID == "$everything")
            #expect(events.first?.entities.count == entries.count)
        }
    }

    @Test("Another patient's record answers 404; without a session the API answers 401 problem+json", arguments: testDatabases)
    func denied(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { client, env in
            let (_, patient) = try await Self.importedPatient(client, env)
            let other = Browser(client)
            _ = try await Flows.signedInPatient(other, env)
            let page = try await other.get("/fhir/Patient/\(patient.id)/$everything")
            #expect(page.status == .notFound)
            #expect(page.headers[.contentType] == "application/problem+json")
            #expect(!page.body.contains("Buster"))
            let problem = try JSONParser.parse(page.body)
            #expect(problem["status"] == .number("404"))

            let anonymous = try await Browser(client).get("/fhir/Patient/\(patient.id)/$everything")
            #expect(anonymous.status == .unauthorized)
            #expect(anonymous.headers[.contentType] == "application/problem+json")
        }
    }

    @Test("A clinician of the organization may download it; a staff member may not", arguments: testDatabases)
    func staff(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { client, env in
            let (_, patient) = try await Self.importedPatient(client, env)
            let doctor = try await AuthorizationTests.clinician(client, env)
            #expect(try await doctor.get("/fhir/Patient/\(patient.id)/$everything").status == .ok)

            _ = try await AccountService(env: env).createStaff(email: "desk@example.org", name: "Front Desk", role: .staff,
                                                               password: Flows.password, by: nil, info: .commandLine)
            let desk = Browser(client)
            try await Flows.signIn(desk, email: "desk@example.org")
            _ = try await Flows.enrolTOTP(desk)
            #expect(try await desk.get("/fhir/Patient/\(patient.id)/$everything").status == .notFound)
            #expect(try await desk.get(Paths.patientHome(patient.id.description)).status == .ok)  // may still read
        }
    }

    @Test("Shared references are found in stored JSON text, and a quoted lookalike inside a string is not one")
    func sharedReferences() throws {
        let resource: JSONValue = .object([
            ("performer", .array([.object([("reference", .string("Practitioner/p1"))]), .object([("reference", .string("Patient/x"))])])),
            ("note", .array([.object([("text", .string(#"see "reference":"Organization/fake" here"#))])])),
            ("serviceProvider", .object([("reference", .string("Organization/o1")), ("display", .string("Clinic"))])),
            ("location", .array([.object([("location", .object([("reference", .string("Location/a/b"))]))])])),
        ])
        #expect(EverythingBundle.sharedReferences(in: resource.jsonText) == ["Practitioner/p1", "Organization/o1"])
    }
}
