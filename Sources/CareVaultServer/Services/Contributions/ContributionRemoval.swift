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

    func remove(resourceType: String, id: String, from record: PatientRecord, by account: Account, info: RequestInfo) async throws -> Outcome {
        let (patient, basis) = (record.patient.id, record.basis)
        return try await record.write { writer in
            guard let stored = try await writer.current(type: resourceType, id: id), RecordOrigin(source: stored.source).isPatientProvided,
                  let json = try? JSONParser.parse(stored.json), !ReportedEntryInput.isEnteredInError(json) else { return .notFound }
            let review = try await writer.review(resourceType: resourceType, id: id)
            if review?.status == .accepted { return .accepted }
            let now = Date()
            try await writer.saveNextVersion(of: stored, ReportedEntryInput.enteredInError(json), at: now)
            if let review, review.status.canMove(to: .withdrawn) {
                _ = try await writer.move(review, to: .withdrawn, comment: nil, reviewer: nil, at: now)
            }
            try await writer.audit([AuditEvent(.contributionRemoved, info: info, actor: account, patient: patient,
                                               resourceType: resourceType, resourceID: id, basis: basis.description)])
            return .removed
        }
    }
}
