import CareVaultCore
import CareVaultStore
import Foundation

/// Takes back something a patient (or their proxy) added — a home reading, or an allergy, medicine
/// or condition they reported — while a clinician has not accepted it into the chart. The resource
/// becomes a new version marked entered-in-error (so it leaves every list and chart but its history
/// stays), its review item is withdrawn, and the removal is audited, all in one transaction.
struct ContributionRemoval: Sendable {
    let env: AppEnvironment

    enum Outcome: Equatable {
        case removed
        /// No such contribution of this patient (or it came from the clinic): answered as 404.
        case notFound
        /// A clinician took it into the chart; only the care team changes it now.
        case accepted
    }

    func remove(resourceType: String, id: String, patient: Patient, basis: Basis, account: Account, info: RequestInfo) async throws -> Outcome {
        try await env.database.write { sql in
            guard let stored = try await FHIRResourceRepository(sql).findWhole(type: resourceType, id: id), stored.patientScope == patient.id.description,
                  RecordOrigin(source: stored.source).isPatientProvided, let json = try? JSONParser.parse(stored.json),
                  !ReportedEntryInput.isEnteredInError(json) else { return .notFound }
            let reviews = ReviewRepository(sql)
            let review = try await reviews.find(resourceType: resourceType, resourceID: id, patient: patient.id)
            if review?.status == .accepted { return .accepted }
            let now = Date()
            try await RecordVersioning.saveNextVersion(of: stored, ReportedEntryInput.enteredInError(json), at: now, on: sql)
            if let review, review.status.canMove(to: .withdrawn) {
                _ = try await reviews.move(id: review.id, from: review.status, to: .withdrawn, comment: nil, reviewer: nil, at: now)
            }
            try await env.audit.record(AuditEvent(.contributionRemoved, info: info, actor: account, patient: patient.id,
                                                  resourceType: resourceType, resourceID: id, basis: basis.description), on: sql)
            return .removed
        }
    }
}
