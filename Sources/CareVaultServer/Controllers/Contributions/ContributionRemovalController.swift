import CareVaultCore
import CareVaultStore
import Foundation
import Hummingbird

/// "Remove" on a home reading or a reported allergy, medicine or condition: the patient (or whoever
/// may add to their record) takes back what they entered — a typo, a returned reading — as long as a
/// clinician has not accepted it into the chart. See ``ContributionRemoval``.
struct ContributionRemovalController: Sendable {
    let env: AppEnvironment

    func addRoutes(to router: Router<AppRequestContext>) {
        let group = router.group(context: SignedInRequestContext.self)
        group.post("/patients/:patient/readings/:measure/:entry/remove", use: removeReading)
        group.post("/patients/:patient/reported/:kind/:entry/remove", use: removeReported)
    }

    @Sendable func removeReading(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        let measure = try context.parameters.readingMeasure()
        let patientID = try await remove("Observation", context)
        throw Redirect.to(Paths.readings(patientID, measure) + "?notice=contribution-removed")
    }

    @Sendable func removeReported(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        let kind = try context.parameters.reportedEntryKind()
        let patientID = try await remove(kind.resourceType, context)
        throw Redirect.to(Paths.recordSection(patientID, kind.section) + "?notice=contribution-removed")
    }

    /// Removes the entry named in the path; returns the patient's id for the way back.
    private func remove(_ resourceType: String, _ context: SignedInRequestContext) async throws -> String {
        let entry = try context.parameters.require("entry")
        let record = try await env.records.open(try context.parameters.require("patient"), for: .contributeToRecord, context: context, target: ResourceRef(type: resourceType, id: entry))
        switch try await ContributionRemoval(env: env).remove(resourceType: resourceType, id: entry, from: record, by: context.account,
                                                              info: context.info) {
        case .removed: return record.scope
        case .notFound: throw HTTPError(.notFound)
        case .accepted: throw HTTPError(.conflict, message: "Your care team has taken this into your chart. Ask them to change it.")
        }
    }
}
