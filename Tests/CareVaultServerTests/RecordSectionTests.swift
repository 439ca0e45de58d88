import CareVaultCore
@testable import CareVaultServer
import CareVaultStore
import Foundation
import HummingbirdTesting
import SQLKit
import Testing

@Suite("Record sections, items and files")
struct RecordSectionTests {
    /// Imports the clinic bundle and signs its patient in.
    static func clinicPatient(_ client: any TestClientProtocol, _ env: AppEnvironment, mrn: String = "CLINIC-1") async throws -> (Browser, Patient) {
        let summary = try await RecordImportService(env: env).importBundle(try ClinicBundle.json(mrn: mrn), source: "clinic.json", by: nil, info: .commandLine)
        let code = try await AccountService(env: env).issueActivationCode(for: summary.patient, by: nil, info: .commandLine)
        let browser = Browser(client)
        let email = "\(mrn.lowercased())@example.org"
        try await Flows.register(browser, code: code.display, birthDate: summary.patient.birthDate.description, email: email)
        try await Flows.signIn(browser, email: email)
        return (browser, summary.patient)
    }

    static func links(_ html: String, under prefix: String) -> [String] {
        html.matches(of: /href="([^"]+)"/).map { String($0.output.1) }.filter { $0.hasPrefix(prefix) }
    }

    @Test("Home shows active medicines, allergies and problems; each section lists its items; files download as the original bytes",
          arguments: testDatabases)
    func sectionsAndFiles(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { client, env in
            let (browser, patient) = try await Self.clinicPatient(client, env)
            let id = patient.id.description
            let home = try await browser.get(Paths.patientHome(id))
            #expect(home.status == .ok)
            #expect(home.body.contains("Amoxicillin 250 MG Oral Capsule – 1 capsule 3 times a day for 7 days"))
            #expect(!home.body.contains("Old inhaler"))  // stopped: not a current medicine
            #expect(home.body.contains("Allergy to penicillin"))
            #expect(home.body.contains("Pneumonia"))
            #expect(home.body.contains("New since you last looked"))
            #expect(home.body.contains("2 new in Documents and notes"))
            #expect(home.body.contains("1 new in Measurements"))

            let medicines = try await browser.get(Paths.recordSection(id, .medications))
            #expect(medicines.body.contains("Old inhaler") && medicines.body.contains("Amoxicillin"))
            #expect(medicines.body.contains("Stopped"))
            let measurements = try await browser.get(Paths.recordSection(id, .measurements))
            #expect(measurements.body.contains(">Blood pressure</a>") && !measurements.body.contains("Blood pressure panel"))
            #expect(measurements.body.contains("128/84 mmHg"))
            let imaging = try await browser.get(Paths.recordSection(id, .imaging))
            #expect(imaging.body.contains("Chest X-ray") && imaging.body.contains("Patchy consolidation"))
            #expect(!imaging.body.contains("Discharge summary"))
            #expect(try await browser.get(Paths.recordSection(id, .carePlans)).body.contains("Recovery after pneumonia"))
            #expect(try await browser.get(Paths.recordSection(id, .other)).body.contains("Home blood pressure monitor"))
            #expect(try await browser.get("/patients/\(id)/records/results?from=2020-01-01").location == Paths.labResults(id) + "?from=2020-01-01")
            #expect(try await browser.get("/patients/\(id)/records/no-such-section").status == .notFound)

            // The documents list: both documents, new, with files; the script in a description stays text.
            let documents = try await browser.get(Paths.recordSection(id, .documents))
            #expect(documents.body.contains("Discharge summary") && documents.body.contains("Nurse"))
            #expect(documents.body.matches(of: /<strong class="badge">New<\/strong>/).count == 2)
            #expect(!documents.body.contains("<script>"))
            let itemLinks = Self.links(documents.body, under: "/patients/\(id)/items/DocumentReference/")
            #expect(itemLinks.count == 2)

            // The discharge summary's page; opening it clears its "new" badge.
            var discharge = ""
            for link in itemLinks {
                let page = try await browser.get(link)
                #expect(page.status == .ok)
                if page.body.contains("Discharge summary") { discharge = page.body }
            }
            #expect(discharge.contains("Imported from clinic.json"))
            #expect(discharge.contains("See the visit this belongs to"))
            let again = try await browser.get(Paths.recordSection(id, .documents))
            #expect(!again.body.contains(#"<strong class="badge">New</strong>"#))

            // The PDF: the exact bytes, as a PDF, with a safe name; pdfinfo opens it.
            let pdfLink = try #require(Self.links(discharge, under: "/patients/\(id)/items/DocumentReference/").first { $0.contains("/files/0") })
            let pdf = try await browser.get(pdfLink)
            #expect(pdf.status == .ok)
            #expect(pdf.headers[.contentType] == "application/pdf")
            #expect(pdf.headers[.contentDisposition] == #"attachment; filename="Discharge-summary.pdf""#)
            #expect(Data(pdf.bytes) == (try ClinicBundle.pdf))
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("dl-\(UUID().uuidString).pdf")
            try Data(pdf.bytes).write(to: file)
            defer { try? FileManager.default.removeItem(at: file) }
            let info = try Command.run("/usr/bin/pdfinfo", [file.path])
            #expect(info.status == 0 && info.output.contains("Pages:"))

            // The note: bytes from its Binary; declared text/html is served as a download, never as HTML; the name is defused.
            var noteItem = ""
            for link in itemLinks where try await browser.get(link).body.contains("Nurse") { noteItem = link }
            #expect(!noteItem.isEmpty)
            let note = try await browser.get(noteItem + "/files/0")
            #expect(note.status == .ok)
            #expect(note.headers[.contentType] == "application/octet-stream")
            #expect(note.headers[.contentDisposition] == #"attachment; filename="etc-passwd.bin""#)
            #expect(note.body == ClinicBundle.noteText)
            #expect(try await browser.get(noteItem + "/files/7").status == .notFound)

            // FHIR JSON of one resource.
            let docID = String(noteItem.split(separator: "/").last!)
            let json = try await browser.get(Paths.fhirResource(type: "DocumentReference", id: docID))
            #expect(json.status == .ok && json.headers[.contentType] == "application/fhir+json")
            #expect(try JSONParser.parse(json.body)["id"] == .string(docID))

            // Every view and download is audited with the resource ids.
            let downloads = try await AuditTrail.shown(env, action: .recordDownloaded, basis: "self").map { String($0.split(separator: "/")[0]) }
            #expect(downloads.sorted() == ["Binary", "DocumentReference", "DocumentReference"])

            // Another patient: the list, the item, the file and the FHIR read are all 404.
            let (other, _) = try await Self.clinicPatient(client, env, mrn: "CLINIC-2")
            #expect(try await other.get(Paths.recordSection(id, .documents)).status == .notFound)
            #expect(try await other.get(noteItem).status == .notFound)
            #expect(try await other.get(pdfLink).status == .notFound)
            #expect(try await other.get(Paths.fhirResource(type: "DocumentReference", id: docID)).status == .notFound)
            // ... and their own path with this patient's item id is just as absent.
            let otherID = try await env.database.read { try await PatientRepository($0).find(mrn: "CLINIC-2", organization: try await PatientRepository($0).defaultOrganization())!.id }
            #expect(try await other.get(Paths.recordItem(otherID.description, type: "DocumentReference", id: docID)).status == .notFound)
        }
    }

    @Test("Lists filter by date, visit and words, and reject a malformed filter naming the field", arguments: testDatabases)
    func filters(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { client, env in
            let (browser, patient) = try await Self.clinicPatient(client, env)
            let id = patient.id.description
            let base = Paths.recordSection(id, .medications)
            #expect(try await browser.get(base + "?from=2024-01-01").body.contains("Amoxicillin"))
            #expect(!(try await browser.get(base + "?from=2024-01-01").body.contains("Old inhaler")))
            #expect(!(try await browser.get(base + "?to=2020-12-31").body.contains("Amoxicillin")))
            #expect(try await browser.get(base + "?q=amoxi").body.contains("Amoxicillin"))
            #expect(!(try await browser.get(base + "?q=insulin").body.contains("Amoxicillin")))

            // The visit filter offers the visits and keeps only what was recorded in the chosen one.
            let page = try await browser.get(base)
            let visitID = try #require(page.body.firstMatch(of: /<option value="([0-9a-f-]{36})"/)?.output.1)
            #expect(page.body.contains("March 5, 2024 – Hospital stay for pneumonia"))
            let inVisit = try await browser.get(base + "?visit=\(visitID)")
            #expect(inVisit.body.contains("Amoxicillin") && !inVisit.body.contains("Old inhaler"))
            #expect(inVisit.body.contains(#"<option value="\#(visitID)" selected>"#))

            let bad = try await browser.get(base + "?from=yesterday&visit=%3Cx%3E")
            #expect(bad.status == .badRequest)
            #expect(bad.body.contains(##"href="#field-from""##) && bad.body.contains(##"href="#field-visit""##))

            // Visits: words find the kind of visit.
            #expect(try await browser.get(Paths.visits(id) + "?q=hospital").body.contains("Hospital stay for pneumonia"))
            #expect(!(try await browser.get(Paths.visits(id) + "?q=dentist").body.contains("Hospital stay for pneumonia")))
        }
    }

    @Test("Home → visits filtered by date → the visit → the discharge PDF: three clicks")
    func threeClicks() async throws {
        try await TestApp.run(.sqlite) { client, env in
            let (browser, patient) = try await Self.clinicPatient(client, env)
            let home = try await browser.get(Paths.patientHome(patient.id.description))
            let visitsLink = try #require(Self.links(home.body, under: Paths.visits(patient.id.description)).first)
            // Click 1: the visits page's date filter (a GET form) from the home page's link.
            let visits = try await browser.get(visitsLink + "?from=2024-03-01&to=2024-03-31")
            let visitLink = try #require(Self.links(visits.body, under: Paths.visits(patient.id.description) + "/").first)
            // Click 2: the visit. Click 3: the PDF, straight from the visit page.
            let visit = try await browser.get(visitLink)
            #expect(visit.body.contains("Papers from this visit"))
            let pdfLink = try #require(visit.body.firstMatch(of: /<a href="([^"]+)" download>Download Discharge summary.pdf/)?.output.1)
            let pdf = try await browser.get(String(pdfLink))
            #expect(pdf.headers[.contentType] == "application/pdf")
            #expect(Data(pdf.bytes) == (try ClinicBundle.pdf))
        }
    }

    @Test("The section column written for rows stored before migration 3 matches RecordSection.of")
    func migrationBackfill() async throws {
        let pairs: [(String, String?)] = [("Observation", "laboratory"), ("Observation", "vital-signs"), ("Observation", nil),
                                          ("DiagnosticReport", "RAD"), ("DiagnosticReport", "LAB"), ("DiagnosticReport", "34117-2"),
                                          ("ImagingStudy", nil), ("DocumentReference", "clinical-note"), ("MedicationStatement", nil),
                                          ("Immunization", nil), ("Goal", nil), ("Claim", nil), ("Encounter", nil), ("Practitioner", nil)]
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("m3-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let location = DatabaseLocation.sqliteFile(path: folder.appendingPathComponent("m3.sqlite").path)
        try await Database.withOpened(location, logger: TestApp.logger) { database in
            try await Migrator(database: database, migrations: Array(Migrator.all.prefix(2))).migrate(logger: TestApp.logger)
            try await database.write { sql in
                for (i, pair) in pairs.enumerated() {
                    try await sql.raw("""
                        INSERT INTO fhir_resources (resource_type, id, patient_scope, match_key, version_id, last_updated, source, category, json)
                        VALUES (\(bind: pair.0), \(bind: "r\(i)"), \(bind: CodeSearchTests.p), \(bind: "k\(i)"), 1, 5, 'test', \(bind: pair.1), '{}')
                        """).run()
                }
            }
            try await Migrator(database: database).migrate(logger: TestApp.logger)
            let stored = try await database.read { try await FHIRResourceRepository($0).all(patientScope: CodeSearchTests.p) }
            for (i, pair) in pairs.enumerated() {
                let row = try #require(stored.first { $0.id == "r\(i)" })
                #expect(row.section == RecordSection.of(resourceType: pair.0, category: pair.1), "\(pair)")
                #expect(row.availableAt == 5)
            }
        }
    }

    @Test("What patients enter or upload themselves is not 'new' to them; what the clinic sent stays new until opened",
          arguments: testDatabases)
    func ownEntriesAreNotNew(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { client, env in
            let (browser, patient) = try await Self.clinicPatient(client, env)
            let id = patient.id.description
            _ = try await browser.get(Paths.readings(id, .heartRate))
            #expect(try await browser.post(Paths.readings(id, .heartRate), ["value": "72", "date": "2026-11-01"]).status.code < 400)
            _ = try await browser.get(Paths.uploads(id))
            let upload = try await browser.postMultipart(Paths.uploads(id), files: [.init(name: "letter.pdf", bytes: try PatientUploadTests.fixture("crazyones.pdf"))])
            #expect(upload.status == .ok)

            let home = try await browser.get(Paths.patientHome(id))
            #expect(home.body.contains("1 new in Measurements"), "the clinic's one, not the reading just entered")
            #expect(home.body.contains("2 new in Documents and notes"), "the clinic's two, not the file just uploaded")
            let measurements = try await browser.get(Paths.recordSection(id, .measurements))
            #expect(measurements.body.components(separatedBy: #"<strong class="badge">New</strong>"#).count - 1 == 1)
        }
    }

    /// A patient with `count` clinic visits, one a month from January 2020 (the visit number in the kind).
    /// A patient with `count` monthly visits from 2020-01, each with a note except those in `withoutNotes`.
    static func manyVisitsBundle(count: Int, withoutNotes: Set<Int> = []) -> Data {
        let patient = #"{"fullUrl":"urn:uuid:11111111-1111-1111-1111-111111111111","resource":{"resourceType":"Patient","#
            + #""identifier":[{"type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0203","code":"MR"}]},"value":"VISITS-1"}],"#
            + #""name":[{"family":"Ng","given":["Vi"]}],"birthDate":"1970-01-01"},"request":{"method":"POST","url":"Patient"}}"#
        let visits = (0..<count).flatMap { n in
            let day = String(format: "%04d-%02d-15", 2020 + n / 12, n % 12 + 1)
            let visit = String(format: "urn:uuid:22222222-2222-4222-8222-%012d", n)
            let encounter = #"{"fullUrl":"\#(visit)","resource":{"resourceType":"Encounter","status":"finished","class":{"code":"AMB"},"type":[{"text":"Visit number \#(n)"}],"#
                + #""identifier":[{"system":"urn:clinic:enc","value":"V-\#(n)"}],"subject":{"reference":"urn:uuid:11111111-1111-1111-1111-111111111111"},"#
                + #""period":{"start":"\#(day)T09:00:00Z"}},"request":{"method":"POST","url":"Encounter"}}"#
            let note = #"{"resource":{"resourceType":"DocumentReference","status":"current","type":{"text":"Note of visit \#(n)"},"#
                + #""identifier":[{"system":"urn:clinic:doc","value":"D-\#(n)"}],"subject":{"reference":"urn:uuid:11111111-1111-1111-1111-111111111111"},"#
                + #""date":"\#(day)T10:00:00Z","context":{"encounter":[{"reference":"\#(visit)"}]},"#
                + #""content":[{"attachment":{"contentType":"text/plain","data":"aGk="}}]},"request":{"method":"POST","url":"DocumentReference"}}"#
            return withoutNotes.contains(n) ? [encounter] : [encounter, note]
        }
        return Data((#"{"resourceType":"Bundle","type":"transaction","entry":["# + ([patient] + visits).joined(separator: ",") + "]}").utf8)
    }

    @Test("The visit filter offers the 30 newest visits with items in the list, and an older visit chosen from the visits page stays chosen")
    func visitChoices() async throws {
        try await TestApp.run(.sqlite) { client, env in
            let summary = try await RecordImportService(env: env).importBundle(Self.manyVisitsBundle(count: 35, withoutNotes: [33]),
                                                                               source: "visits.json", by: nil, info: .commandLine)
            let code = try await AccountService(env: env).issueActivationCode(for: summary.patient, by: nil, info: .commandLine)
            let browser = Browser(client)
            try await Flows.register(browser, code: code.display, birthDate: "1970-01-01", email: "vi@example.org")
            try await Flows.signIn(browser, email: "vi@example.org")
            let base = Paths.recordSection(summary.patient.id.description, .documents)
            let options = { (html: String) in html.matches(of: /<option value="[0-9a-f-]{36}"[^>]*>([^<]*)<\/option>/).map { String($0.output.1) } }

            let offered = options(try await browser.get(base).body)
            #expect(offered.count == VisitChoiceField.limit)
            #expect(offered.first?.hasSuffix("Visit number 34") == true && !offered.contains { $0.hasSuffix("Visit number 33") })  // no note
            #expect(offered.last?.hasSuffix("Visit number 4") == true)
            #expect(!(try await browser.get(Paths.recordSection(summary.patient.id.description, .medications)).body.contains("Visit number")))

            let oldest = try #require(try await env.database.read {
                try await FHIRResourceRepository($0).search(patientScope: summary.patient.id.description,
                                                            RecordQuery(resourceType: "Encounter", limit: 50)).last
            })
            let chosen = try await browser.get(base + "?visit=\(oldest.id)")
            #expect(chosen.status == .ok)
            #expect(chosen.body.contains(#"<option value="\#(oldest.id)" selected>January 15, 2020 – Visit number 0</option>"#))
            #expect(options(chosen.body).count == VisitChoiceField.limit + 1)

            // Another patient naming this visit learns nothing about it.
            let (other, otherPatient) = try await Self.clinicPatient(client, env)
            let foreign = try await other.get(Paths.recordSection(otherPatient.id.description, .documents) + "?visit=\(oldest.id)")
            #expect(!foreign.body.contains("Visit number") && !foreign.body.contains("January 15, 2020"))
        }
    }

    @Test("Migration 6 dates the billing records, imaging studies and period onsets stored before it", arguments: testDatabases)
    func datesBackfill(kind: DatabaseKind) async throws {
        let rows: [(type: String, json: String, start: String?)] = [
            ("Claim", #"{"resourceType":"Claim","billablePeriod":{"start":"2017-11-01T09:00:00Z","end":"2017-11-01T10:00:00Z"},"created":"2017-11-02"}"#, "2017-11-01T09:00:00Z"),
            ("ExplanationOfBenefit", #"{"resourceType":"ExplanationOfBenefit","created":"2013-12-11"}"#, "2013-12-11T00:00:00Z"),
            ("ImagingStudy", #"{"resourceType":"ImagingStudy","started":"2019-12-18T10:00:00Z"}"#, "2019-12-18T10:00:00Z"),
            ("Condition", #"{"resourceType":"Condition","onsetPeriod":{"start":"2011-10-04"}}"#, "2011-10-04T00:00:00Z"),
            ("Practitioner", #"{"resourceType":"Practitioner"}"#, nil),
            ("Claim", #"{"resourceType":"Claim","created":"not a date"}"#, nil),
        ]
        try await TestApp.withDatabase(kind, migratedTo: 5) { database in
            try await database.write { sql in
                for (i, row) in rows.enumerated() {
                    try await sql.raw("""
                        INSERT INTO fhir_resources (resource_type, id, patient_scope, match_key, version_id, last_updated, source, json, available_at)
                        VALUES (\(bind: row.type), \(bind: "r\(i)"), 'p', \(bind: "k\(i)"), 1, 5, 'test', \(bind: row.json), 5)
                        """).run()
                }
            }
            #expect(try await TestApp.migrate(database, to: 6) == [6])
            let starts = try await database.read { sql in
                try await sql.raw("SELECT id, effective_start FROM fhir_resources WHERE patient_scope = 'p'").all().map {
                    (try $0.decode(column: "id", as: String.self), try $0.decode(column: "effective_start", as: Int64?.self))
                }
            }
            #expect(starts.count == rows.count)
            for (i, row) in rows.enumerated() {
                let expected = row.start.flatMap(FHIRInstant.range)?.lowerBound
                #expect(starts.first { $0.0 == "r\(i)" }?.1 == expected, "\(row.type) \(row.json)")
            }
        }
    }

    @Test("Billing records list newest first by the date they show, and date filters find them", arguments: testDatabases)
    func billingDates(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { client, env in
            let summary = try await RecordImportService(env: env).importBundle(try RecordImportTests.synthea, source: "synthea.json", by: nil,
                                                                               info: .commandLine)
            let code = try await AccountService(env: env).issueActivationCode(for: summary.patient, by: nil, info: .commandLine)
            let browser = Browser(client)
            try await Flows.register(browser, code: code.display, birthDate: summary.patient.birthDate.description, email: "buster@example.org")
            try await Flows.signIn(browser, email: "buster@example.org")
            let id = summary.patient.id.description
            func dates(_ query: String) async throws -> [String] {
                try await browser.get(Paths.recordSection(id, .other) + query).body.matches(of: /<td class="date">([A-Z][a-z]+ \d{1,2}, \d{4})<\/td>/).map { PageDates.iso(String($0.output.1)) }
            }
            let all = try await dates("")
            #expect(all.count >= 10)
            #expect(all == all.sorted(by: >), "\(all)")
            let recent = try await dates("?from=2017-01-01")
            // A claim's billable period can run on past its first day (Synthea's explanations of benefit run a year), so one
            // that began in December 2016 overlaps 2017 and stays; the earlier visits' bills go.
            #expect(recent.contains("2017-11-01") && !recent.contains { $0 < "2016-01-01" } && all.contains { $0 < "2016-01-01" }, "\(recent)")
        }
    }
}
