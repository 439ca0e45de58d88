import CareVaultCore
import Hummingbird

/// What the policy permitted a staff member across their organization: which organization, and the
/// basis to record with every access it leads to.
struct OrganizationPermit: Sendable {
    let organization: OrganizationID
    let basis: Basis

    /// Both, for `let (organization, basis) = try context.permit(…).parts`.
    var parts: (OrganizationID, Basis) { (organization, basis) }
}

extension StaffRequestContext {
    /// The policy's permit for `action` across the staff member's organization (404 otherwise, like
    /// every denial that could reveal what exists).
    func permit(_ action: OrganizationAction) throws -> OrganizationPermit {
        guard case .permit(let basis) = AuthorizationPolicy.decide(actor, action), case .careTeam(_, let organization) = basis else {
            throw HTTPError(.notFound)
        }
        return OrganizationPermit(organization: organization, basis: basis)
    }

    /// The staff member's organization, once the policy allows them `action` across it.
    func organization(permitting action: OrganizationAction) throws -> OrganizationID {
        try permit(action).organization
    }
}
