import CareVaultCore
@testable import CareVaultServer
import CareVaultStore
import Foundation
import SQLKit
import Testing

@Suite("Home readings")
struct ReadingsTests {
    static func observations(_ env: AppEnvironment, _ patient: Patient) async throws -> [StoredResource] {
        try await env.database.read {
            try await FHIRResourceRepository($0).search(patientScope: patient.id.description, RecordQuery(resourceType: "Observation", limit: 500))
        }
    }

    /// A blood pressure the clinic measured, as an import would store it.
    static func clinicReading(_ env: AppEnvironment, _ patient: Patient, _ effective: String, _ top: String, _ bottom: String) async throws {
        let reading = Reading(measure: .bloodPressure, value: top, diastolic: bottom, unit: ReadingMeasure.bloodPressure.units[0], effective: effective)
        let id = UUID().uuidString.lowercased()
        let json = ReadingObservation.json(reading, id: id, patient: patient.id.description, performer: "Practitioner/nurse", recorded: effective)
        try await env.database.write {
            try await FHIRResourceRepository($0).insert([.init(
                StoredResource(resourceType: "Observation", id: id, patient: patient.id, matchKey: "clinic:\(id)", versionID: 1,
                               lastUpdated: Date(), source: "import:clinic.json", json: json.jsonText),
                index: try FHIRIndexFields.read(json), availableAt: 0)])
        }
    }

    @Test("A reading entered on the page is checked, stored as a vital-signs Observation, charted beside the clinic's, and sent for review only when out of range",
          arguments: testDatabases)
    func enterReadings(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { client, env in
            let browser = Browser(client)
            let (patient, _) = try await Flows.signedInPatient(browser, env)
            let id = patient.id.description
            let overview = try await browser.get(Paths.readings(id))
            #expect(overview.status == .ok)
            #expect(overview.body.contains("Blood pressure") && overview.body.contains("No readings yet"))
            let page = Paths.readings(id, .bloodPressure)
            _ = try await browser.get(page)

            // Swapped numbers: refused, the field named, nothing stored.
            let swapped = try await browser.post(page, ["value": "80", "diastolic": "120", "unit": "mmHg", "date": "2026-11-01", "time": "07:30", "context": "sitting"])
            #expect(swapped.status == .badRequest)
            #expect(swapped.body.contains(##"href="#field-diastolic""##) && swapped.body.contains("must be lower than the top number"))
            let implausible = try await browser.post(page, ["value": "400", "diastolic": "80", "date": "2026-11-01"])
            #expect(implausible.status == .badRequest && implausible.body.contains("between 50 and 300 mmHg"))
            #expect(try await Self.observations(env, patient).isEmpty)

            let saved = try await browser.post(page, ["value": "128", "diastolic": "82", "date": "2026-11-01", "time": "07:30", "context": "sitting"])
            #expect(saved.location == page + "?notice=reading-saved")
            let high = try await browser.post(page, ["value": "152", "diastolic": "96", "date": "2026-11-02", "time": "07:30", "context": "standing"])
            #expect(high.location == page + "?notice=reading-sent-for-review")
            try await Self.clinicReading(env, patient, "2026-10-20T10:00:00Z", "131", "84")

            let shown = try await browser.get(page)
            #expect(shown.body.contains("128/82 mmHg") && shown.body.contains("152/96 mmHg") && shown.body.contains("131/84 mmHg"))
            #expect(shown.body.contains("Added by you") && shown.body.contains("Imported from clinic.json by the clinic"))
            #expect(shown.body.contains("Sitting") && shown.body.contains("(outside the usual range)"))
            #expect(shown.body.contains("<svg") && shown.body.matches(of: /class="point[^"]*other-source"/).count == 2)  // top and bottom
            #expect(shown.body.contains("band-high") && shown.body.contains("Circles are your readings; squares are readings from the clinic."))

            // Stored as R4 vital signs, valid, marked as the patient's.
            let stored = try await Self.observations(env, patient).filter { $0.source.hasPrefix("patient:") }
            #expect(stored.count == 2)
            for resource in stored {
                let json = try JSONParser.parse(resource.json)
                #expect(FHIRElementValidator().check(resource: json).errors.isEmpty)
                #expect(json["category"]?.arrayValue?.first?["coding"]?.arrayValue?.first?["code"]?.stringValue == "vital-signs")
            }
            // Only the out-of-range reading waits for the care team.
            let queued = try await env.database.read { try await $0.raw("SELECT COUNT(*) AS n FROM review_items WHERE queued = 1").first()!.decode(column: "n", as: Int64.self) }
            #expect(queued == 1)

            // Another patient's readings answer 404, for reading and for writing.
            let other = Browser(client)
            _ = try await Flows.signedInPatient(other, env)
            #expect(try await other.get(page).status == .notFound)
            _ = try await other.get(Paths.security)
            #expect(try await other.post(page, ["value": "120", "diastolic": "80", "date": "2026-11-01"]).status == .notFound)
            #expect(try await Self.observations(env, patient).count == 3)
        }
    }

    @Test("A CSV file is previewed with every bad row and its reasons, stored only whole, and the download imports again",
          arguments: testDatabases)
    func csvImport(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { client, env in
            let browser = Browser(client)
            let (patient, _) = try await Flows.signedInPatient(browser, env)
            let id = patient.id.description
            _ = try await browser.get(Paths.readingsImport(id))
            let bad = """
                date,time,measure,value,unit,context
                2026-11-01,07:30,blood-pressure,128/82,mmHg,sitting
                2026-11-01,07:35,bp,82/128,mmHg,
                2026-11-02,,weight,72.5,stone,
                2026-11-03,08:00,glucose,5.4,mmol/L,fasting
                """
            let preview = try await browser.postMultipart(Paths.readingsImport(id), files: [.init(field: "file", name: "home.csv", type: "text/csv", bytes: Array(bad.utf8))])
            #expect(preview.status == .unprocessableContent)
            #expect(preview.body.contains("These rows cannot be added"))
            #expect(preview.body.contains("value: The bottom number (diastolic) must be lower than the top number (systolic)."))
            #expect(preview.body.contains("unit: Choose the unit: kg or lb."))
            #expect(!preview.body.contains("Add these"))
            // Confirming the bad file anyway stores nothing.
            let forced = try await browser.post(Paths.readingsImportConfirm(id), ["csv": bad, "fileName": "home.csv", "expected": "2"])
            #expect(forced.status == .unprocessableContent)
            #expect(try await ReadingsTests.observations(env, patient).isEmpty)

            let good = bad.replacingOccurrences(of: "82/128", with: "128/84").replacingOccurrences(of: "stone", with: "kg")
            let ready = try await browser.postMultipart(Paths.readingsImport(id), files: [.init(field: "file", name: "home.csv", type: "text/csv", bytes: Array(good.utf8))])
            #expect(ready.status == .ok)
            #expect(ready.body.contains("Add these 4 readings"))
            let stored = try await browser.post(Paths.readingsImportConfirm(id), ["csv": good, "fileName": "home.csv", "expected": "4"])
            #expect(stored.location == Paths.readings(id) + "?notice=readings-imported")
            #expect(try await ReadingsTests.observations(env, patient).count == 4)
            // One Provenance says the patient provided them all.
            let provenance = try await env.database.read {
                try await FHIRResourceRepository($0).search(patientScope: id, RecordQuery(resourceType: "Provenance", limit: 10))
            }
            #expect(provenance.count == 1 && provenance[0].json.contains("Home readings imported from a CSV file"))

            let csv = try await browser.get(Paths.readingsCSV(id))
            #expect(csv.status == .ok && csv.headers[.contentType] == "text/csv; charset=utf-8")
            let rows = try ReadingsCSV.rows(csv.body, now: Date(), timeZone: env.configuration.timeZone)
            #expect(rows.count == 4 && rows.allSatisfy { $0.reading != nil })
            #expect(csv.body.contains("2026-11-03,08:00,glucose,5.4,mmol/L,fasting,patient"))

            // Not a text file, and a file without the columns: clear refusals, nothing stored.
            let binary = try await browser.postMultipart(Paths.readingsImport(id), files: [.init(field: "file", name: "x.csv", bytes: [0xFF, 0xFE, 0x00, 0xD8])])
            #expect(binary.status == .unprocessableContent && binary.body.contains("not a text file in UTF-8"))
            let columns = try await browser.postMultipart(Paths.readingsImport(id), files: [.init(field: "file", name: "x.csv", bytes: Array("a,b\n1,2\n".utf8))])
            #expect(columns.body.contains("missing: date, measure, value, unit"))
            #expect(try await ReadingsTests.observations(env, patient).count == 4)
        }
    }
}
