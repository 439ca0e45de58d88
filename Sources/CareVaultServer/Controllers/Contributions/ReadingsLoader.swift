import CareVaultCore
import CareVaultStore
import Foundation

/// Finds a patient's readings of one measure in the record — their own and the clinic's, under any
/// of the measure's LOINC codes — newest first, with each patient reading's review status.
struct ReadingsLoader: Sendable {
    static let limit = 200
    let env: AppEnvironment

    struct Found: Sendable {
        let resource: StoredResource
        let point: ReadingObservation.Point
        let origin: RecordOrigin
        let review: ReviewItem?
    }

    func load(patient: Patient, basis: Basis, measure: ReadingMeasure, limit: Int = Self.limit) async throws -> [Found] {
        let scope = patient.id.description
        let releasedBy = basis.releasedBy(Clock.milliseconds(Date()))
        let (stored, reviews) = try await env.database.read { sql in
            var stored: [StoredResource] = []
            for code in measure.recognizedCodes {
                stored += try await FHIRResourceRepository(sql).search(patientScope: scope, RecordQuery(
                    resourceType: "Observation", codeSystem: ReadingMeasure.loinc, code: code, releasedBy: releasedBy, limit: limit))
            }
            let reviews = try await ReviewRepository(sql).items(resourceType: "Observation", ids: stored.map(\.id), patient: patient.id)
            return (stored, reviews)
        }
        var seen = Set<String>()
        let found = stored.compactMap { resource -> Found? in
            guard seen.insert(resource.id).inserted, let json = try? JSONParser.parse(resource.json),
                  let point = ReadingObservation.point(from: json), point.measure == measure else { return nil }
            return Found(resource: resource, point: point, origin: RecordOrigin(source: resource.source), review: reviews[resource.id])
        }
        return Array(found.sorted { ($0.point.time, $0.resource.id) > ($1.point.time, $1.resource.id) }.prefix(limit))
    }
}
