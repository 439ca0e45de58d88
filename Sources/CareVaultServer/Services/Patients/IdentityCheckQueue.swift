import CareVaultCore
import CareVaultStore
import Foundation

/// Sign-ups by identity waiting for staff, for patients with no email address on file. Callers have
/// been allowed ``OrganizationAction/checkIdentities`` for `organization`.
struct IdentityCheckQueue: Sendable {
    let env: AppEnvironment

    /// The organization's pending checks, oldest first.
    func pending(organization: OrganizationID, limit: Int) async throws -> [IdentityCheck] {
        try await env.database.read {
            try await RegistrationRequestRepository($0).identityChecks(organization: organization, at: Date(), limit: limit)
        }
    }

    /// Dismisses a request that was not the patient (audited); false when there is no pending check with
    /// that id for a patient of `organization` — whatever the reason, the caller answers "not found".
    func dismiss(_ id: String, organization: OrganizationID, by staff: Account, info: RequestInfo) async throws -> Bool {
        let now = Date()
        return try await env.database.write { sql in
            let requests = RegistrationRequestRepository(sql)
            guard let pending = try await requests.pendingIdentityCheck(id: id, at: now),
                  let patient = try await PatientRepository(sql).find(id: pending.patient), patient.organization == organization
            else { return false }
            try await requests.dismiss(id: id, at: now, by: staff.id)
            try await env.audit.record(AuditEvent(.identityCheckResolved, info: info, actor: staff, patient: patient.id,
                                                  resourceType: "RegistrationRequest", resourceID: id), on: sql)
            return true
        }
    }
}
