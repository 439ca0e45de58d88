import CareVaultCore
import CareVaultStore
import Foundation

/// What "my health summary" shows: current problems and medicines, allergies, vaccinations, recent results.
struct HealthSummary {
    let resources: [StoredResource]
    let problems: [RecordEntry]
    let medications: [RecordEntry]
    let allergies: [RecordEntry]
    let immunizations: [RecordEntry]
    let results: [LabResult]

    /// Reads it for a patient; `releasedBy` hides what the patient may not see yet.
    static func load(_ store: FHIRResourceRepository, patientScope scope: String, releasedBy released: Int64?) async throws -> HealthSummary {
        let labs = try await store.search(patientScope: scope, RecordQuery(resourceType: "Observation", category: "laboratory", releasedBy: released, limit: 30))
        let problems = try await store.search(patientScope: scope, RecordQuery(section: .problems, status: "active", releasedBy: released, limit: 200))
        let medications = try await store.search(patientScope: scope, RecordQuery(section: .medications, status: "active", releasedBy: released, limit: 200))
        let allergies = try await store.search(patientScope: scope, RecordQuery(section: .allergies, releasedBy: released, limit: 200))
        let immunizations = try await store.search(patientScope: scope, RecordQuery(section: .immunizations, releasedBy: released, limit: 200))
        func entries(_ resources: [StoredResource]) -> [RecordEntry] {
            resources.compactMap { r in (try? JSONParser.parse(r.json)).map { RecordEntry(resourceType: r.resourceType, id: r.id, json: $0) } }
        }
        return HealthSummary(
            resources: labs + problems + medications + allergies + immunizations,
            problems: entries(problems), medications: entries(medications), allergies: entries(allergies),
            immunizations: entries(immunizations),
            results: labs.compactMap { r in (try? JSONParser.parse(r.json)).flatMap { LabResult(id: r.id, json: $0) } })
    }

    func pdf(patient: Patient, printed: Date, zone: TimeZone) throws -> Data {
        try RecordPrintouts.healthSummary(patient: patient, problems: problems, medications: medications, allergies: allergies,
                                          immunizations: immunizations, results: results, printed: printed, zone: zone)
    }
}
