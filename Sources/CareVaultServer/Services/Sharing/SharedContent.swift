import CareVaultCore
import CareVaultStore
import Foundation

/// What a share shows, in the forms its recipient gets it: grouped for the page, as a FHIR Bundle, and
/// as a readable PDF. Built from the shared items only (read through the share's door, or — when a
/// SMART Health Link is made — through the patient's own).
struct SharedContent: Sendable {
    /// One listed item.
    struct Item: Sendable {
        let resource: StoredResource
        let entry: RecordEntry
        let kind: String
        /// What the item says, as on the patient's pages; a test result with its normal range and flag.
        let details: [RecordEntry.Detail]
    }

    /// Items under one heading ("Visits", "Test results", …).
    struct Group: Sendable {
        let title: String
        let items: [Item]
    }

    let groups: [Group]

    /// The listed items of `resources` (visits first, then the record's sections in their usual order).
    init(_ resources: [StoredResource]) {
        var visits: [Item] = []
        var bySection: [RecordSection: [Item]] = [:]
        for resource in resources {
            guard let json = try? JSONParser.parse(resource.json) else { continue }
            let entry = RecordEntry(resourceType: resource.resourceType, id: resource.id, json: json)
            let item = Item(resource: resource, entry: entry, kind: RecordItem(resourceType: resource.resourceType, id: resource.id, json: json).kind,
                            details: Self.details(entry, json: json, id: resource.id))
            if resource.resourceType == "Encounter" {
                visits.append(item)
            } else if let section = resource.section {
                bySection[section, default: []].append(item)
            }
        }
        var groups: [Group] = []
        if !visits.isEmpty { groups.append(Group(title: "Visits", items: visits)) }
        for section in RecordSection.allCases { if let items = bySection[section] { groups.append(Group(title: section.title, items: items)) } }
        self.groups = groups
    }

    /// `entry`'s details; for a test result, its value, normal range and flag as the lab results page shows them.
    static func details(_ entry: RecordEntry, json: JSONValue, id: String) -> [RecordEntry.Detail] {
        guard entry.resourceType == "Observation", let result = LabResult(id: id, json: json) else { return entry.details }
        var details = [RecordEntry.Detail(label: "Result", value: [FHIRText.readableNumber(result.value), UnitWords.readable(result.unit)]
            .filter { !$0.isEmpty }.joined(separator: " "))]
        if !result.range.isEmpty { details.append(RecordEntry.Detail(label: "Normal range", value: result.range)) }
        if !result.flag.rawValue.isEmpty { details.append(RecordEntry.Detail(label: "Flag", value: result.flag.rawValue)) }
        return details + entry.details.filter { $0.label != "Result" }
    }

    /// Everything listed, in page order.
    var items: [Item] { groups.flatMap(\.items) }

    /// A FHIR `collection` Bundle: a Patient with only the name and birth date (no record numbers or
    /// addresses), the shared items as stored (without the bytes of images), and — for a printout — a
    /// DocumentReference carrying it.
    static func bundle(patient: Patient, resources: [StoredResource], base: String, pdf: Data? = nil) -> String {
        let patientJSON = JSONValue.object([
            ("resourceType", .string("Patient")), ("id", .string(patient.id.description)),
            ("name", .array([.object([("family", .string(patient.familyName)), ("given", .array([.string(patient.givenName)]))])])),
            ("birthDate", .string(patient.birthDate.description)),
        ]).jsonText
        // Images leave only de-identified, from each item's page: their bytes are not in the Bundle.
        var entries = [("Patient/\(patient.id)", patientJSON)]
            + resources.compactMap(SharedImages.withoutImageData).map { ("\($0.resourceType)/\($0.id)", $0.json) }
        if let pdf {
            let id = UUID().uuidString.lowercased()
            let document = JSONValue.object([
                ("resourceType", .string("DocumentReference")), ("id", .string(id)), ("status", .string("current")),
                ("subject", .object([("reference", .string("Patient/\(patient.id)"))])),
                ("description", .string("What was shared, as a readable document")),
                ("content", .array([.object([("attachment", .object([
                    ("contentType", .string("application/pdf")), ("title", .string("shared-record.pdf")),
                    ("data", .string(pdf.base64EncodedString())),
                ]))])])),
            ]).jsonText
            entries = [("Patient/\(patient.id)", patientJSON), ("DocumentReference/\(id)", document)]
        }
        var text = #"{"resourceType":"Bundle","type":"collection","entry":["#
        for (i, entry) in entries.enumerated() {
            if i > 0 { text += "," }
            text += #"{"fullUrl":"# + JSONValue.string("\(base)/\(entry.0)").jsonText + #","resource":"# + entry.1 + "}"
        }
        return text + "]}"
    }

    /// The shared items as a readable PDF: who shared them, for whom, until when, then each group.
    func pdf(patient: Patient, label: String, note: String?, expires: Date, printed: Date, zone: TimeZone) throws -> Data {
        var document = try RecordPrintouts.document("Shared health records", patient: patient, printed: printed, zone: zone)
        document.facts([("Shared for", label), ("Until", PlainDate.day(expires, in: zone))])
        if let note { document.paragraph(note) }
        for group in groups {
            document.heading(group.title, size: 12)
            document.table(columns: [("Date", 1.1), ("What", 2.6), ("Details", 3.4)], rows: group.items.map { item in
                [item.entry.date.map(PlainDate.day) ?? "", item.entry.name, item.details.map { "\($0.label): \($0.value)" }.joined(separator: "; ")]
            })
        }
        return document.pdf()
    }
}
