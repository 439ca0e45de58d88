import CareVaultCore
import CareVaultStore
import Foundation
import Hummingbird

/// The staff queue of sign-ups by identity for patients with no email address on file. Staff
/// check the person's identity outside CareVault and issue an activation code from the patient's
/// page (which closes the request), or dismiss a request that was not the patient.
struct IdentityChecksController: Sendable {
    static let pageSize = 100
    let env: AppEnvironment

    func addRoutes(to router: Router<AppRequestContext>) {
        let group = router.group(context: StaffRequestContext.self)
        group.get(RouterPath(Paths.identityChecks), use: list)
        group.post("/staff/identity-checks/:request/dismiss", use: dismiss)
    }

    @Sendable func list(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let (organization, basis) = try context.permit(.checkIdentities).parts
        let checks = try await IdentityCheckQueue(env: env).pending(organization: organization, limit: Self.pageSize)
        // Names and patient IDs shown are patient data: each patient listed is an audited read.
        try await env.audit.recordReads(checks.map { ($0.patient.id, "Patient", $0.patient.id.description) }, actor: context.account,
                                        basis: basis, info: context.info)
        let rows = checks.map { check in
            IdentityChecksPage.Row(patientName: check.patient.fullName, mrn: check.patient.mrn,
                                   birthDate: PlainDate.day(check.patient.birthDate.description), typedEmail: check.request.email,
                                   requested: PlainDate.instant(check.request.createdAt, in: env.configuration.timeZone),
                                   patientLink: Paths.staffPatient(check.patient.id.description),
                                   dismissAction: Paths.dismissIdentityCheck(check.request.id))
        }
        return env.renderer.response(IdentityChecksPage(layout: context.layout("Identity checks", request: request), checks: rows, isEmpty: rows.isEmpty))
    }

    @Sendable func dismiss(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let organization = try context.organization(permitting: .checkIdentities)
        let id = try context.parameters.require("request")
        // Only a pending check of a patient of this organization: anything else is not found.
        guard try await IdentityCheckQueue(env: env).dismiss(id, organization: organization, by: context.account, info: context.info) else {
            throw HTTPError(.notFound)
        }
        return Response(status: .seeOther, headers: [.location: Paths.identityChecks])
    }
}
