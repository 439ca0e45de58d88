import CareVaultCore
import CareVaultStore
import Foundation

/// Finds a patient's readings of one measure in the record — their own and the clinic's, under any
/// of the measure's LOINC codes — newest first, with each patient reading's review status.
struct ReadingsLoader: Sendable {
    static let limit = 200

    struct Found: Sendable {
        let resource: StoredResource
        let point: ReadingObservation.Point
        let origin: RecordOrigin
        let review: ReviewItem?
    }

    func load(_ record: PatientRecord, measure: ReadingMeasure, limit: Int = Self.limit) async throws -> [Found] {
        let (stored, reviews) = try await record.read { r in
            var stored: [StoredResource] = []
            for code in measure.recognizedCodes {
                stored += try await r.search(r.query(resourceType: "Observation", codeSystem: ReadingMeasure.loinc, code: code, limit: limit))
            }
            return (stored, try await r.reviews(resourceType: "Observation", ids: stored.map(\.id)))
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
