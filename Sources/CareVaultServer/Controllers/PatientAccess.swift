import CareVaultCore
import CareVaultStore
import Hummingbird

/// The only way a route reaches a patient's data: load the record, ask the policy, audit the answer.
/// A denial and an unknown id look the same from outside (404), so nobody learns which records exist.
struct PatientAccess: Sendable {
    let env: AppEnvironment

    func open(_ rawID: String, for action: Action, actor: Actor, account: Account, info: RequestInfo,
              resource: ResourceRef? = nil) async throws -> (Patient, Basis) {
        guard let id = PatientID(rawID),
              let patient = try await env.database.read({ try await PatientRepository($0).find(id: id) })
        else { throw HTTPError(.notFound) }
        let decision = AuthorizationPolicy.decide(actor, action, patient: patient.scope, resource: resource)
        switch decision {
        case .permit(let basis):
            try await env.audit.record(AuditEvent(
                .recordRead, info: info, actor: account, patient: patient.id,
                resourceType: resource?.type ?? "Patient", resourceID: resource?.id ?? patient.id.description,
                basis: basis.description))
            return (patient, basis)
        case .deny(let reason):
            try await env.audit.record(AuditEvent(
                .recordAccessDenied, info: info, actor: account, outcome: .denied, patient: patient.id,
                resourceType: resource?.type ?? "Patient", resourceID: resource?.id ?? patient.id.description,
                basis: reason.rawValue))
            throw HTTPError(.notFound)
        }
    }
}
