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
        if let json = try? JSONParser.parse(resource.json) {
            let confirmed = ReportedEntryInput.confirmed(json)
            if confirmed != json { try await RecordVersioning.saveNextVersion(of: resource, confirmed, at: now, on: sql) }
        }
        let provenance = ProvenanceRecord(targets: ["\(resource.resourceType)/\(resource.id)"], recorded: now, activity: .verified,
                                          agent: .verifier(displayName: clinician.displayName))
        let id = provenance.id
        try await repository.insert([FHIRResourceRepository.NewResource(
            StoredResource(resourceType: "Provenance", id: id, patientScope: resource.patientScope, matchKey: "verified:\(id)", versionID: 1,
                           lastUpdated: now, source: "clinic", json: provenance.json.jsonText),
            index: try FHIRIndexFields.read(provenance.json), availableAt: Clock.milliseconds(now))])
    }
}
