import CareVaultCore
@testable import CareVaultServer
import CareVaultStore
import Foundation
import Hummingbird
import Testing

/// Every route that takes a patient, walked as every kind of reader there is, under a visibility that
/// hides one category and one resource type: nothing hidden may appear anywhere, and each request is
/// one audit event. New reader kinds (proxies, shares, apps) get this walk for free.
@Suite("The record's one door")
struct RecordDoorTests {
    /// The reader kinds to come stand in here as a restriction on every reader: vital signs hidden (a
    /// category), conditions not allowed (a resource type).
    static let hiddenCategory = "vital-signs"
    static let hiddenType = "Condition"
    static let allowedTypes: Set<String> = [
        "Patient", "Encounter", "DocumentReference", "Binary", "DiagnosticReport", "AllergyIntolerance", "MedicationRequest",
        "Observation", "CarePlan", "Device", "Provenance", "Immunization", "Procedure", "Practitioner", "Organization", "Location",
    ]
    /// Words only the hidden items say (the condition's name, the blood pressure panel and its values).
    static let hiddenWords = ["Pneumonia", "Blood pressure panel", "128/84", "128 / 84"]

    /// The GET routes that name a patient, with each capture filled in every way that matters.
    static func walk(_ routes: [String], patient: String, visit: String, items: [(type: String, id: String)]) -> [String] {
        routes.flatMap { route -> [String] in
            var uris = [route.replacingOccurrences(of: "{patient}", with: patient).replacingOccurrences(of: ":patient", with: patient)]
            func expand(_ capture: String, _ values: [String]) {
                uris = uris.flatMap { uri in
                    uri.contains(":\(capture)") || uri.contains("{\(capture)}")
                        ? values.map { uri.replacingOccurrences(of: ":\(capture)", with: $0).replacingOccurrences(of: "{\(capture)}", with: $0) }
                        : [uri]
                }
            }
            if route.contains("type") {
                uris = uris.flatMap { uri in
                    items.map { uri.replacingOccurrences(of: ":type", with: $0.type).replacingOccurrences(of: "{type}", with: $0.type)
                        .replacingOccurrences(of: ":id", with: $0.id).replacingOccurrences(of: "{id}", with: $0.id) }
                }
            }
            expand("section", RecordSection.allCases.map(\.rawValue))
            expand("visit", [visit])
            expand("index", ["0"])
            expand("measure", ReadingMeasure.allCases.map(\.rawValue))
            expand("kind", ReportedEntryKind.allCases.map(\.rawValue))
            expand("upload", [UUID().uuidString.lowercased()])
            expand("entry", [UUID().uuidString.lowercased()])
            expand("grant", [UUID().uuidString.lowercased()])
            expand("consent", [UUID().uuidString.lowercased()])
            expand("share", [UUID().uuidString.lowercased()])
            return uris.flatMap { uri in
                // The trend asks for one test by code: the hidden blood pressure panel's, and a lab's.
                uri.hasSuffix("/results/trend") ? [uri + "?code=" + Paths.queryValue("http://loinc.org|85354-9")] : [uri]
            }
        }
    }

    /// What a response says, as text: PDFs through pdftotext, ZIPs entry by entry (their PDFs too).
    static func text(of page: Browser.Page) throws -> String {
        let type = page.headers[.contentType] ?? ""
        guard type.hasPrefix("application/pdf") || type.hasPrefix("application/zip") else { return page.body }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("door-\(UUID().uuidString)")
        try Data(page.bytes).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        if type.hasPrefix("application/pdf") { return try Command.run("/usr/bin/pdftotext", [file.path, "-"]).output }
        let dump = #"""
        import subprocess, sys, tempfile, zipfile
        for name in zipfile.ZipFile(sys.argv[1]).namelist():
            data = zipfile.ZipFile(sys.argv[1]).read(name)
            print(name)
            if name.endswith(".pdf"):
                with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
                    f.write(data); f.flush()
                    print(subprocess.run(["pdftotext", f.name, "-"], capture_output=True, text=True).stdout)
            else:
                print(data.decode("utf-8", "replace"))
        """#
        let result = try Command.run("/usr/bin/env", ["python3", "-c", dump, file.path])
        #expect(result.status == 0, "\(result.output)")
        return result.output
    }

    @Test("Walked as the patient and as a clinician under a restricted visibility, no route shows a hidden item, and each request is one audit event",
          arguments: testDatabases)
    func nothingHiddenAnywhere(kind: DatabaseKind) async throws {
        try await TestApp.run(kind, configure: {
            $0.visibilityRestriction = { $0.narrowed(hiding: [Self.hiddenCategory], toTypes: Self.allowedTypes) }
        }) { client, env in
            let (patientBrowser, patient) = try await RecordSectionTests.clinicPatient(client, env)
            let clinician = try await ReleaseWorkflowTests.staff(client, env, role: .clinician)
            let id = patient.id.description
            let stored = try await env.database.read { try await FHIRResourceRepository($0).all(patientScope: id) }
            let hidden = stored.filter { $0.category == Self.hiddenCategory || $0.resourceType == Self.hiddenType }
            #expect(hidden.count == 2, "the fixture has one vital sign and one condition")
            let visible = stored.filter { !hidden.map(\.id).contains($0.id) && $0.section != nil }
            let visit = try #require(stored.first { $0.resourceType == "Encounter" })
            let routes = makeRouter(env: env).routes.filter { $0.method == .get }.map { "\($0.path)" }
                .filter { $0.contains(":patient") || $0.contains("{patient}") }
            #expect(routes.count >= 20, "\(routes)")
            let uris = Self.walk(routes, patient: id, visit: visit.id,
                                 items: hidden.map { ($0.resourceType, $0.id) } + visible.prefix(2).map { ($0.resourceType, $0.id) })
                + hidden.map { Paths.fhirResource(type: $0.resourceType, id: $0.id) }
            var okCount = 0
            for (name, browser) in [("patient", patientBrowser), ("clinician", clinician)] {
                for uri in uris {
                    let before = try await AuditTrail.events(env, patient: patient.id).count
                    let page = try await browser.get(uri)
                    let text = try Self.text(of: page)
                    for item in hidden {
                        #expect(!text.contains(item.id), "\(name) \(uri) shows hidden \(item.resourceType)/\(item.id)")
                    }
                    for word in Self.hiddenWords {
                        #expect(!text.contains(word), "\(name) \(uri) says “\(word)”")
                    }
                    #expect(page.status.code < 500, "\(name) \(uri): \(page.status)")
                    // One event per request that reached the record (a page, a download, or a refusal).
                    let events = try await AuditTrail.events(env, patient: patient.id).dropFirst(before)
                    if page.status == .ok {
                        okCount += 1
                        #expect(events.count == 1, "\(name) \(uri) wrote \(events.count) audit events")
                        for event in events {
                            #expect(!hidden.contains { event.entities.contains("\($0.resourceType)/\($0.id)") }, "\(name) \(uri) audited a hidden item as shown")
                        }
                    } else {
                        #expect(events.count <= 1, "\(name) \(uri) wrote \(events.count) audit events")
                    }
                }
            }
            #expect(okCount > 40, "the walk reached the record's pages")
            // What may be seen still is: the restriction hides exactly what it names.
            let home = try await patientBrowser.get(Paths.patientHome(id))
            #expect(home.body.contains("Allergy to penicillin") && home.body.contains("Amoxicillin"))
        }
    }

    @Test("Another patient gets nothing on any route: not through the other's id, nor the other's items under their own id; a refusal is one audit event",
          arguments: testDatabases)
    func strangerGetsNothing(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { client, env in
            let (_, ana) = try await RecordSectionTests.clinicPatient(client, env, mrn: "DOOR-1")
            let (stranger, bo) = try await RecordSectionTests.clinicPatient(client, env, mrn: "DOOR-2")
            let anas = try await env.database.read { try await FHIRResourceRepository($0).all(patientScope: ana.id.description) }
            let visit = try #require(anas.first { $0.resourceType == "Encounter" })
            let routes = makeRouter(env: env).routes.filter { $0.method == .get }.map { "\($0.path)" }
                .filter { $0.contains(":patient") || $0.contains("{patient}") }
            let items = anas.filter { $0.section != nil }.map { ($0.resourceType, $0.id) }
            // Ana's id in the path, and Ana's items and visit under Bo's own id.
            let uris = Self.walk(routes, patient: ana.id.description, visit: visit.id, items: items)
                + Self.walk(routes, patient: bo.id.description, visit: visit.id, items: items).filter { $0.contains("/items/") || $0.contains("/visits/") }
                + items.map { Paths.fhirResource(type: $0.0, id: $0.1) }
            for uri in uris {
                let page = try await stranger.get(uri)
                #expect([404, 303, 400].contains(page.status.code), "\(uri): \(page.status)")
                let text = try Self.text(of: page)
                for item in anas where item.resourceType != "Patient" {
                    #expect(!text.contains(item.id), "\(uri) shows Ana's \(item.resourceType)/\(item.id)")
                }
            }

            let before = try await AuditTrail.events(env, patient: ana.id).count
            #expect(try await stranger.get(Paths.labResults(ana.id.description)).status == .notFound)
            let events = try await AuditTrail.events(env, patient: ana.id).dropFirst(before)
            #expect(events.count == 1 && events.first?.action == .recordAccessDenied && events.first?.outcome == .denied)
            #expect(events.first?.entities.isEmpty == true)
        }
    }
}
