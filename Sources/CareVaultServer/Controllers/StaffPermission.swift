import CareVaultCore
import CareVaultStore
import Hummingbird

extension StaffRequestContext {
    /// The staff member's organization, once the policy allows them `action` there at all (404 otherwise).
    func organization(permitting action: Action, env: AppEnvironment) async throws -> OrganizationID {
        let organization: OrganizationID
        if let own = account.organization {
            organization = own
        } else {
            organization = try await env.database.read { try await PatientRepository($0).defaultOrganization() }
        }
        let probe = PatientScope(id: PatientID(), organization: organization)
        guard AuthorizationPolicy.decide(actor, action, patient: probe).isPermitted else { throw HTTPError(.notFound) }
        return organization
    }
}
