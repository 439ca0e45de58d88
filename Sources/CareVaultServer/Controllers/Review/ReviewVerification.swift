import CareVaultCore
import CareVaultStore
import Foundation
import SQLKit

/// What accepting a contribution into the chart writes: allergies and conditions become confirmed
/// (a new version; the patient's original stays in the history), and a Provenance records the
/// clinician who verified it and when.
enum ReviewVerification {
    static func record(_ resource: StoredResource, by clinician: Account, at now: Date, on sql: any SQLDatabase) async throws {
        let repository = FHIRResourceRepository(sql)
        let stamp = now.formatted(.iso8601)
        if let json = try? JSONParser.parse(resource.json) {
            let confirmed = ReportedEntryInput.confirmed(json)
            if confirmed != json { try await RecordVersioning.saveNextVersion(of: resource, confirmed, at: now, on: sql) }
        }
        let id = UUID().uuidString.lowercased()
        let provenance: JSONValue = .object([
            ("resourceType", .string("Provenance")), ("id", .string(id)),
            ("meta", .object([("versionId", .string("1")), ("lastUpdated", .string(stamp))])),
            ("target", .array([.object([("reference", .string("\(resource.resourceType)/\(resource.id)"))])])),
            ("recorded", .string(stamp)),
            ("activity", .object([("coding", .array([.object([
                ("system", .string("http://terminology.hl7.org/CodeSystem/v3-DataOperation")), ("code", .string("UPDATE")),
            ])])), ("text", .string("Verified by a clinician"))])),
            ("agent", .array([.object([
                ("type", .object([("coding", .array([.object([
                    ("system", .string("http://terminology.hl7.org/CodeSystem/provenance-participant-type")), ("code", .string("verifier")),
                ])]))])),
                ("who", .object([("display", .string(clinician.displayName))])),
            ])])),
        ])
        try await repository.insert([FHIRResourceRepository.NewResource(
            StoredResource(resourceType: "Provenance", id: id, patientScope: resource.patientScope, matchKey: "verified:\(id)", versionID: 1,
                           lastUpdated: now, source: "clinic", json: provenance.jsonText),
            index: try FHIRIndexFields.read(provenance), availableAt: Clock.milliseconds(now))])
    }
}
