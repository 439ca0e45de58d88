import CareVaultCore
import CareVaultStore
import Foundation

/// What "my health summary" shows: current problems and medicines, allergies, vaccinations, recent results.
struct HealthSummary: Sendable {
    let resources: [StoredResource]
    let problems: [RecordEntry]
    let medications: [RecordEntry]
    let allergies: [RecordEntry]
    let immunizations: [RecordEntry]
    let results: [LabResult]

    /// Reads what the reader may see of it.
    static func load(_ record: PatientRecordReader) async throws -> HealthSummary {
        let labs = try await record.search(record.query(resourceType: "Observation", category: "laboratory", limit: 30))
        let problems = try await record.search(record.query(section: .problems, status: "active", limit: 200))
        let medications = try await record.search(record.query(section: .medications, status: "active", limit: 200))
        let allergies = try await record.search(record.query(section: .allergies, limit: 200))
        let immunizations = try await record.search(record.query(section: .immunizations, limit: 200))
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
