import CareVaultCore
import CareVaultStore
import Foundation
import ZIPFoundation

/// The whole-record export (HIPAA right of access): one ZIP with the FHIR Bundle, NDJSON per resource
/// type, the health-summary PDF, the lab results as CSV, every original attachment, and a README.
/// Written entry by entry to a file, so the archive itself is never held in memory.
public struct RecordExportService: Sendable {
    /// What an export wrote.
    public struct Summary: Sendable {
        public let resources: Int
        public let attachments: Int
        public let bytes: Int
    }

    let env: AppEnvironment

    public init(env: AppEnvironment) { self.env = env }

    /// Writes the export of what the patient may see of their record to `url`, for an operator at the
    /// command line; audited as one download event naming every record in it.
    public func export(_ patient: Patient, operatorInfo info: RequestInfo, to url: URL) async throws -> Summary {
        try await env.records.asOperator(patient, for: .downloadRecord, info: info, target: ResourceRef(type: "Bundle", id: "export")) { record in
            try await export(record, to: url)
        }
    }

    /// Writes the export of what the reader may see of the record to `url` (replaced if present), and
    /// names every resource in it for the request's audit event.
    func export(_ record: PatientRecord, to url: URL) async throws -> Summary {
        let patient = record.patient
        let now = Date()
        let (own, shared, summary) = try await record.read { reader in
            let (own, shared) = try await EverythingBundle.load(reader)
            return (own, shared, try await HealthSummary.load(reader))
        }
        let labs = own.filter { $0.section == .labs && $0.resourceType == "Observation" }
            .compactMap { r in (try? JSONParser.parse(r.json)).flatMap { LabResult(id: r.id, json: $0) } }
            .sorted { ($0.effective ?? "") > ($1.effective ?? "") }
        let pdf = try summary.pdf(patient: patient, printed: now, zone: env.configuration.timeZone)

        try? FileManager.default.removeItem(at: url)
        let archive = try Archive(url: url, accessMode: .create)
        // Private before a byte of the record is in it, whatever umask the caller runs under.
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: url.path)
        func add(_ path: String, _ data: Data) throws {
            try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(data.count), modificationDate: now,
                                 compressionMethod: .deflate) { position, size in
                data.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        do {
            try add("README.txt", Data(Self.readme(patient: patient, at: now, resources: own.count).utf8))
            try add("fhir/everything.json", Data(EverythingBundle.text(own: own, shared: shared, base: env.link("/fhir")).utf8))
            for (type, resources) in Dictionary(grouping: own + shared, by: \.resourceType).sorted(by: { $0.key < $1.key }) {
                try add("fhir/ndjson/\(type).ndjson", Data(resources.map { Self.oneLine($0.json) + "\n" }.joined().utf8))
            }
            try add("health-summary.pdf", pdf)
            try add("lab-results.csv", Data(CSV.labResults(labs).utf8))
            var attachments = 0
            let binaries = Dictionary(own.filter { $0.resourceType == "Binary" }.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
            for resource in own where ["DocumentReference", "DiagnosticReport", "Media"].contains(resource.resourceType) {
                guard let json = try? JSONParser.parse(resource.json) else { continue }
                for attachment in RecordAttachment.all(in: json) {
                    var bytes = attachment.inlineData
                    if bytes == nil, let reference = attachment.binaryReference,
                       let binary = binaries[String(reference.dropFirst("Binary/".count))], let body = try? JSONParser.parse(binary.json) {
                        bytes = body["data"]?.stringValue.flatMap { Data(base64Encoded: $0, options: .ignoreUnknownCharacters) }
                    }
                    guard let bytes else { continue }
                    let name = attachment.fileName(fallback: RecordEntry(resourceType: resource.resourceType, id: resource.id, json: json).name)
                    try add("attachments/\(resource.resourceType)-\(resource.id)-\(attachment.index)-\(name)", bytes)
                    attachments += 1
                }
            }
            record.shown(own)
            let size = (try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
            return Summary(resources: own.count, attachments: attachments, bytes: size)
        } catch {
            // No half-written export is left behind.
            try? FileManager.default.removeItem(at: url)
            throw error
        }
    }

    /// NDJSON needs each resource on one line; stored JSON is compact already, but a line break in it would split it.
    static func oneLine(_ json: String) -> String {
        json.contains("\n") ? ((try? JSONParser.parse(json))?.jsonText ?? json.replacingOccurrences(of: "\n", with: " ")) : json
    }

    static func readme(patient: Patient, at date: Date, resources: Int) -> String {
        """
        Health record of \(patient.fullName) (born \(patient.birthDate), patient ID \(patient.mrn))
        Exported from CareVault on \(date.formatted(.iso8601)) — \(resources) records.

        What is in this folder
        ----------------------
        health-summary.pdf      A printable summary: current problems, medicines, allergies, vaccinations
                                and recent test results. Opens in any PDF reader.
        lab-results.csv         Every lab result, one row each: date, test, code, value, unit, normal range,
                                flag. Opens in a spreadsheet (Excel, LibreOffice, Numbers).
        attachments/            The original files of documents and reports (PDFs, images, text), exactly as
                                your clinic stored them.
        fhir/everything.json    The whole record as one FHIR R4 Bundle (the international standard for health
                                data; HL7 FHIR release 4, https://hl7.org/fhir/R4/). Other health apps and
                                portals can import it.
        fhir/ndjson/*.ndjson    The same records, one file per kind of record, one record per line (the FHIR
                                Bulk Data format).

        Keep this file safe: it contains your private health information.
        """
    }
}
