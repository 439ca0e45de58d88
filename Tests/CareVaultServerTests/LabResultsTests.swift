import CareVaultCore
@testable import CareVaultServer
import CareVaultStore
import Foundation
import HummingbirdTesting
import SQLKit
import Testing

@Suite("Lab results pages")
struct LabResultsTests {
    /// A bundle with `count` potassium results, one a day from 2024-01-01, the last one high.
    static func bundle(count: Int) -> Data {
        var entries = [#"{"fullUrl":"urn:uuid:p","resource":{"resourceType":"Patient","identifier":[{"type":{"coding":[{"code":"MR"}]},"system":"urn:x","value":"LAB-1"}],"name":[{"family":"Reyes","given":["Lu"]}],"birthDate":"1970-01-01"}}"#]
        for i in 0..<count {
            let day = String(format: "2024-01-%02d", i + 1)
            let (value, flag) = i == count - 1 ? ("5.90", "H") : ("4.1\(i % 10)", "N")
            entries.append(#"{"resource":{"resourceType":"Observation","id":"k\#(i)","status":"final","category":[{"coding":[{"code":"laboratory"}]}],"code":{"coding":[{"system":"http://loinc.org","code":"2823-3","display":"Potassium"}]},"subject":{"reference":"urn:uuid:p"},"effectiveDateTime":"\#(day)","valueQuantity":{"value":\#(value),"unit":"mmol/L"},"referenceRange":[{"low":{"value":3.5},"high":{"value":5.1}}],"interpretation":[{"coding":[{"code":"\#(flag)"}]}]}}"#)
        }
        entries.append(#"{"resource":{"resourceType":"Observation","id":"bp","status":"final","category":[{"coding":[{"code":"vital-signs"}]}],"code":{"coding":[{"system":"http://loinc.org","code":"85354-9","display":"Blood pressure"}]},"subject":{"reference":"urn:uuid:p"},"effectiveDateTime":"2024-01-15"}}"#)
        entries.append(#"{"resource":{"resourceType":"Observation","id":"chol","status":"final","category":[{"coding":[{"code":"laboratory"}]}],"code":{"coding":[{"system":"http://loinc.org","code":"2093-3","display":"=SUM(A1) Cholesterol"}]},"subject":{"reference":"urn:uuid:p"},"effectiveDateTime":"2023-06-01","valueQuantity":{"value":-1,"unit":"mg/dL"}}}"#)
        return Data(#"{"resourceType":"Bundle","type":"collection","entry":[\#(entries.joined(separator: ","))]}"#.utf8)
    }

    static func patientWithResults(_ client: any TestClientProtocol, _ env: AppEnvironment, count: Int) async throws -> (Browser, Patient) {
        let summary = try await RecordImportService(env: env).importBundle(bundle(count: count), source: "labs.json", by: nil, info: .commandLine)
        let code = try await AccountService(env: env).issueActivationCode(for: summary.patient, by: nil, info: .commandLine)
        let browser = Browser(client)
        try await Flows.register(browser, code: code.display, birthDate: "1970-01-01", email: "lu@example.org")
        try await Flows.signIn(browser, email: "lu@example.org")
        return (browser, summary.patient)
    }

    @Test("Results show value, unit, range and the flag in words; the home page shows the newest", arguments: testDatabases)
    func table(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { client, env in
            let (browser, patient) = try await Self.patientWithResults(client, env, count: 3)
            #expect(try await browser.get(Paths.patientHome(patient.id.description)).body.contains("4 new in Test results"))  // 3 potassium, 1 cholesterol
            let page = try await browser.get(Paths.labResults(patient.id.description))
            #expect(page.status == .ok)
            #expect(page.body.contains(#">Potassium</a> <strong class="badge">New</strong></td><td data-label="Result">5.90 mmol/L</td><td data-label="Normal range">3.5–5.1</td><td data-label="Flag">High</td>"#))
            #expect(page.body.contains(#"<tr class="out-of-range"><td class="date" data-label="Date">January 3, 2024</td>"#))
            #expect(page.body.contains(#"<td data-label="Result">4.11 mmol/L</td><td data-label="Normal range">3.5–5.1</td><td data-label="Flag">Normal</td>"#))
            #expect(!page.body.contains("Blood pressure"))  // vital signs are not lab results
            let home = try await browser.get(Paths.patientHome(patient.id.description))
            #expect(home.body.contains(#"<td data-label="Result">5.90 mmol/L</td><td data-label="Normal range">3.5–5.1</td><td data-label="Flag">High</td>"#))
            #expect(!home.body.contains("new in Test results"))  // seen in the table: no longer new
            #expect(home.body.contains(Paths.labResults(patient.id.description)))
        }
    }

    @Test("Filters by date range and by words; pages never load unbounded; bad dates name the field", arguments: testDatabases)
    func filtersAndPaging(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { client, env in
            let (browser, patient) = try await Self.patientWithResults(client, env, count: 30)
            let base = Paths.labResults(patient.id.description)
            let first = try await browser.get(base)
            #expect(first.body.matches(of: />Potassium<\/a>/).count == 25)
            let next = try #require(Browser.firstMatch(#"href="([^"]+)">Older results"#, in: first.body))
            let second = try await browser.get(next.replacingOccurrences(of: "&amp;", with: "&"))
            #expect(second.body.matches(of: />Potassium<\/a>/).count == 5)
            #expect(second.body.contains("Total cholesterol"))

            let range = try await browser.get(base + "?from=2024-01-10&to=2024-01-12")
            #expect(range.body.matches(of: />Potassium<\/a>/).count == 3)
            #expect(range.body.contains(#"<td class="date" data-label="Date">January 12, 2024</td>"#))
            #expect(!range.body.contains(#"<td class="date" data-label="Date">January 13, 2024</td>"#))

            let words = try await browser.get(base + "?q=chol")
            #expect(words.body.contains("Total cholesterol"))
            #expect(!words.body.contains(">Potassium</a>"))

            let bad = try await browser.get(base + "?from=2024-13-01&to=2023-01-01")
            #expect(bad.status == .badRequest)
            #expect(bad.body.contains(#"id="field-from-error""#))
        }
    }

    @Test("CSV has one row per result as filtered, opens in Python's csv, and defuses formulas", arguments: testDatabases)
    func csv(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { client, env in
            let (browser, patient) = try await Self.patientWithResults(client, env, count: 30)
            let download = try await browser.get(Paths.labResultsCSV(patient.id.description) + "?from=2023-01-01&to=2024-01-05")
            #expect(download.status == .ok)
            #expect(download.headers[.contentType] == "text/csv; charset=utf-8")
            #expect(download.headers[.contentDisposition] == "attachment; filename=\"lab-results.csv\"")
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("labs-\(UUID().uuidString).csv").path
            try download.body.write(toFile: path, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(atPath: path) }
            let parsed = try Command.run("/usr/bin/env", ["python3", "-c", """
                import csv, sys, json
                rows = list(csv.DictReader(open(sys.argv[1], newline='')))
                print(json.dumps([len(rows), rows[0]['test'], rows[0]['value'], rows[0]['flag'], rows[-1]['test'], rows[-1]['value'], rows[-1]['code']]))
                """, path])
            #expect(parsed.output.trimmingCharacters(in: .whitespacesAndNewlines)
                    == #"[6, "Potassium", "4.14", "Normal", "'=SUM(A1) Cholesterol", "-1", "http://loinc.org|2093-3"]"#)
        }
    }

    @Test("Another patient's results answer 404; each result shown is an audited read", arguments: testDatabases)
    func authorization(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { client, env in
            let (browser, patient) = try await Self.patientWithResults(client, env, count: 3)
            try await browser.get(Paths.patientHome(patient.id.description))
            try await browser.get(Paths.labResults(patient.id.description))
            let audited = try await AuditTrail.shown(env, patient: patient.id, basis: "self", type: "Observation")
            // The home page shows 4 results, the results page the same 4: each showing is named in its request's event.
            #expect(audited.count == 8)

            let other = Browser(client)
            _ = try await Flows.signedInPatient(other, env)
            #expect(try await other.get(Paths.labResults(patient.id.description)).status == .notFound)
            #expect(try await other.get(Paths.labResultsCSV(patient.id.description)).status == .notFound)
        }
    }
}

@Suite("Lab result trends")
struct LabTrendTests {
    @Test("A test's history: chart with the normal band, the same values in a table; bad or foreign requests refused", arguments: testDatabases)
    func trend(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { client, env in
            let (browser, patient) = try await LabResultsTests.patientWithResults(client, env, count: 4)
            let results = try await browser.get(Paths.labResults(patient.id.description))
            let link = try #require(Browser.firstMatch(#"<a href="(/patients/[^"]+/results/trend\?code=[^"]+)">Potassium"#, in: results.body))
            let page = try await browser.get(link)
            #expect(page.status == .ok)
            #expect(page.body.contains("<h1>Potassium</h1>"))
            #expect(page.body.contains(#"<title id="trend-title">Potassium over time</title>"#))
            #expect(page.body.contains("4 values from January 1, 2024 to January 4, 2024; latest 5.90 mmol/L. Normal range 3.50–5.10 mmol/L."))
            #expect(page.body.matches(of: /<circle class="point/).count == 4)
            #expect(page.body.matches(of: /<circle class="point outside"/).count == 1)
            #expect(page.body.contains(#"class="normal-band""#))
            #expect(page.body.matches(of: /<td>[0-9.]+ mmol\/L<\/td>/).count == 4)

            // A lab may call a value just outside its printed range normal: the dot follows the table's flag.
            let lenient = #"{"resourceType":"Bundle","type":"collection","entry":[{"fullUrl":"urn:uuid:p","resource":{"resourceType":"Patient","identifier":[{"type":{"coding":[{"code":"MR"}]},"system":"urn:x","value":"LAB-1"}],"name":[{"family":"Reyes","given":["Lu"]}],"birthDate":"1970-01-01"}},{"resource":{"resourceType":"Observation","id":"k-lenient","status":"final","category":[{"coding":[{"code":"laboratory"}]}],"code":{"coding":[{"system":"http://loinc.org","code":"2823-3"}]},"subject":{"reference":"urn:uuid:p"},"effectiveDateTime":"2024-02-01","valueQuantity":{"value":5.3,"unit":"mmol/L"},"referenceRange":[{"low":{"value":3.5},"high":{"value":5.1}}],"interpretation":[{"coding":[{"code":"N"}]}]}}]}"#
            _ = try await RecordImportService(env: env).importBundle(Data(lenient.utf8), source: "lenient.json", by: nil, info: .commandLine)
            let withLenient = try await browser.get(link)
            #expect(withLenient.body.matches(of: /<circle class="point/).count == 5)
            #expect(withLenient.body.matches(of: /<circle class="point outside"/).count == 1)
            #expect(withLenient.body.contains("<td>5.3 mmol/L</td><td>3.5–5.1</td><td>Normal</td>"))

            #expect(try await browser.get(Paths.labTrend(patient.id.description, system: "http://loinc.org", code: "0000-0")).status == .notFound)
            #expect(try await browser.get("/patients/\(patient.id)/results/trend?code=nonsense").status == .badRequest)
            let other = Browser(client)
            _ = try await Flows.signedInPatient(other, env)
            #expect(try await other.get(link).status == .notFound)
        }
    }
}

@Suite("Lab result display")
struct LabResultDisplayTests {
    @Test("Machine-precision values are rounded for reading only", arguments: [
        ("145.01040701622802", "145.01"), ("4.50", "4.50"), ("5.125", "5.125"), ("-0.00001", "-0.00"), ("<5.0", "<5.0"), ("positive", "positive"),
    ])
    func readable(input: String, shown: String) {
        #expect(FHIRText.readableNumber(input) == shown)
    }
}

@Suite("Paging input")
struct PagingInputTests {
    @Test("A huge page number is an empty page, not a crash", arguments: testDatabases)
    func hugePage(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { client, env in
            let (browser, patient) = try await LabResultsTests.patientWithResults(client, env, count: 3)
            for path in [Paths.labResults(patient.id.description), Paths.visits(patient.id.description)] {
                let page = try await browser.get(path + "?page=9223372036854775807")
                #expect(page.status == .ok)
                #expect(page.body.contains("No "))
            }
            let doctor = try await AuthorizationTests.clinician(client, env)
            #expect(try await doctor.get(Paths.staffPatients + "?page=9223372036854775807").status == .ok)
        }
    }
}

@Suite("Lab test names")
struct LabTestNameTests {
    @Test("Common tests read in plain words on the page, the trend and the PDF; those words find them; the CSV keeps the lab's name",
          arguments: testDatabases)
    func plainNames(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { client, env in
            let (browser, patient) = try await FHIREverythingTests.importedPatient(client, env)
            let id = patient.id.description
            let page = try await browser.get(Paths.labResults(id))
            #expect(page.body.contains(">White blood cell count (WBC)</a>"))
            #expect(page.body.contains(">Platelet count</a>"))
            #expect(!page.body.contains("[#/volume]") && !page.body.contains("[Mass/volume]") && !page.body.contains("Bld-mCnc"))

            let found = try await browser.get(Paths.labResults(id) + "?q=white+blood")
            #expect(found.body.contains(">White blood cell count (WBC)</a>"))
            #expect(!found.body.contains("Platelet count") && !found.body.contains("Total cholesterol"))
            let byLabName = try await browser.get(Paths.labResults(id) + "?q=leukocytes")  // the record's own words still work
            #expect(byLabName.body.contains(">White blood cell count (WBC)</a>") && !byLabName.body.contains("Platelet count"))

            let trend = try await browser.get(Paths.labTrend(id, system: "http://loinc.org", code: "6690-2"))
            #expect(trend.body.contains("<h1>White blood cell count (WBC)</h1>"))
            #expect(trend.body.contains("Named in the lab's record: Leukocytes [#/volume] in Blood by Automated count"))
            #expect(trend.body.contains("<title id=\"trend-title\">White blood cell count (WBC) over time</title>"))

            let csv = try await browser.get(Paths.labResultsCSV(id) + "?q=white+blood")
            #expect(csv.body.contains(",Leukocytes [#/volume] in Blood by Automated count,http://loinc.org|6690-2,"))
            #expect(!csv.body.contains("White blood cell"))
        }
    }
}
