import CareVaultCore
@testable import CareVaultServer
import CareVaultStore
import Foundation
import HummingbirdTesting
import SQLKit
import Testing

@Suite("Whole-record export")
struct RecordExportTests {
    /// Python's zipfile, csv and json read the archive independently of the code that wrote it.
    static let inspect = #"""
    import csv, io, json, sys, zipfile
    z = zipfile.ZipFile(sys.argv[1])
    assert z.testzip() is None
    names = sorted(z.namelist())
    bundle = json.loads(z.read("fhir/everything.json"))
    ndjson = {n: [json.loads(l) for l in z.read(n).decode().splitlines()] for n in names if n.endswith(".ndjson")}
    rows = list(csv.reader(io.StringIO(z.read("lab-results.csv").decode())))
    open(sys.argv[2], "wb").write(z.read("health-summary.pdf"))
    print(json.dumps({"names": names, "entries": len(bundle["entry"]), "total": bundle["total"],
                      "ndjson": {n: len(v) for n, v in ndjson.items()}, "csvHeader": rows[0], "csvRows": len(rows) - 1,
                      "readme": z.read("README.txt").decode()}))
    """#

    /// What Python finds in the ZIP, plus the text pdftotext reads from its health summary.
    static func inspect(_ bytes: Data) throws -> JSONValue {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("export-\(UUID().uuidString).zip")
        let pdf = file.deletingPathExtension().appendingPathExtension("pdf")
        try bytes.write(to: file)
        defer { try? FileManager.default.removeItem(at: file); try? FileManager.default.removeItem(at: pdf) }
        let result = try Command.run("/usr/bin/env", ["python3", "-c", inspect, file.path, pdf.path])
        #expect(result.status == 0, "\(result.output)")
        var found = try JSONParser.parse(result.output)
        found.set("pdfText", .string(try Command.run("/usr/bin/pdftotext", [pdf.path, "-"]).output))
        return found
    }

    @Test("The web export is one ZIP with the Bundle, NDJSON per type, the PDF, the CSV, the original files and a README",
          arguments: testDatabases)
    func web(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { client, env in
            let (browser, patient) = try await RecordSectionTests.clinicPatient(client, env)
            let id = patient.id.description
            let home = try await browser.get(Paths.patientHome(id))
            #expect(home.body.contains(Paths.exportZIP(id)))
            let response = try await browser.get(Paths.exportZIP(id))
            #expect(response.status == .ok && response.headers[.contentType] == "application/zip")
            #expect(response.headers[.contentDisposition] == #"attachment; filename="health-record-1980-02-29.zip""#)
            let zip = try Self.inspect(Data(response.bytes))
            let names = zip["names"]?.arrayValue?.compactMap(\.stringValue) ?? []
            #expect(names.contains("README.txt") && names.contains("health-summary.pdf") && names.contains("lab-results.csv"))
            #expect(names.contains("fhir/everything.json") && names.contains("fhir/ndjson/DocumentReference.ndjson"))
            #expect(names.contains { $0.hasPrefix("attachments/DocumentReference-") && $0.hasSuffix("-0-Discharge-summary.pdf") })
            #expect(names.contains { $0.hasPrefix("attachments/DocumentReference-") && $0.hasSuffix("-0-etc-passwd.bin") })
            #expect(zip["ndjson"]?["fhir/ndjson/MedicationRequest.ndjson"] == .number("2"))
            #expect(zip["csvHeader"] == .array(["date", "test", "code", "value", "unit", "range", "flag"].map(JSONValue.string)))
            let stored = try await env.database.read { try await FHIRResourceRepository($0).counts(patientScope: id) }
            #expect(zip["total"] == .number(String(stored.values.reduce(0, +))))
            #expect(zip["readme"]?.stringValue?.contains("FHIR R4 Bundle") == true)
            #expect(zip["pdfText"]?.stringValue?.contains("Allergy to penicillin") == true)

            // Another patient cannot export this record.
            let (other, _) = try await RecordSectionTests.clinicPatient(client, env, mrn: "CLINIC-2")
            #expect(try await other.get(Paths.exportZIP(id)).status == .notFound)
            // One event for the export, naming every record in it.
            let events = try await AuditTrail.events(env, action: .recordDownloaded, patient: PatientID(id))
            #expect(events.count == 1 && events.first?.resourceID == "export")
            #expect(events.first?.entities.count == stored.values.reduce(0, +))
        }
    }

    @Test("carevault export writes the ZIP for an MRN and refuses an unknown MRN or folder, naming the option")
    func cli() async throws {
        let site = try await CLITests.Installation.make(.sqlite)
        defer { site.remove() }
        let bundle = FileManager.default.temporaryDirectory.appendingPathComponent("clinic-\(UUID().uuidString).json")
        try ClinicBundle.json().write(to: bundle)
        defer { try? FileManager.default.removeItem(at: bundle) }
        #expect(try site.run(["import", bundle.path]).status == 0)
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("export-\(UUID().uuidString).zip")
        defer { try? FileManager.default.removeItem(at: out) }

        let unknown = try site.run(["export", "--mrn", "NOPE", "--out", out.path])
        #expect(unknown.status != 0 && unknown.output.contains("--mrn: no patient has the patient ID NOPE"))
        #expect(!FileManager.default.fileExists(atPath: out.path))
        let badFolder = try site.run(["export", "--mrn", "CLINIC-1", "--out", "/no/such/folder/x.zip"])
        #expect(badFolder.status != 0 && badFolder.output.contains("--out:"))

        let good = try site.run(["export", "--mrn", "CLINIC-1", "--out", out.path])
        #expect(good.status == 0, "\(good.output)")
        #expect(good.output.contains("2 original files"))
        let zip = try Self.inspect(try Data(contentsOf: out))
        #expect(zip["pdfText"]?.stringValue?.contains("My health summary") == true)
        #expect(zip["pdfText"]?.stringValue?.contains("Зоя Дмитриева") == true)
    }
}
