import CareVaultCore
import CareVaultStore
import Foundation

/// What accepting a contribution into the chart writes: allergies and conditions become confirmed
/// (a new version; the patient's original stays in the history), and a Provenance records the
/// clinician who verified it and when.
enum ReviewVerification {
    static func record(_ resource: StoredResource, by clinician: Account, at now: Date, with writer: PatientRecordWriter) async throws {
        if let json = try? JSONParser.parse(resource.json) {
            let confirmed = ReportedEntryInput.confirmed(json)
            if confirmed != json { try await writer.saveNextVersion(of: resource, confirmed, at: now) }
        }
        let provenance = ProvenanceRecord(targets: ["\(resource.resourceType)/\(resource.id)"], recorded: now, activity: .verified,
                                          agent: .verifier(displayName: clinician.displayName))
        let id = provenance.id
        try await writer.insert([FHIRResourceRepository.NewResource(
            StoredResource(resourceType: "Provenance", id: id, patient: resource.patient, matchKey: "verified:\(id)", versionID: 1,
                           lastUpdated: now, source: "clinic", json: provenance.json.jsonText),
            index: try FHIRIndexFields.read(provenance.json), availableAt: Clock.milliseconds(now))])
    }
}
