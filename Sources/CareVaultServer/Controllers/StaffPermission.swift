import CareVaultCore
import Hummingbird

extension StaffRequestContext {
    /// The staff member's organization, once the policy allows them `action` across it (404 otherwise,
    /// like every denial that could reveal what exists).
    func organization(permitting action: OrganizationAction) throws -> OrganizationID {
        guard case .permit(.careTeam(_, let organization)) = AuthorizationPolicy.decide(actor, action) else { throw HTTPError(.notFound) }
        return organization
    }
}
