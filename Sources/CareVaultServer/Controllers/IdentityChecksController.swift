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
        let organization = try await context.organization(permitting: .issueActivationCode, env: env)
        let checks = try await env.database.read {
            try await RegistrationRequestRepository($0).identityChecks(organization: organization, at: Date(), limit: Self.pageSize)
        }
        // Names and patient IDs shown are patient data: each patient listed is an audited read.
        try await env.audit.recordReads(checks.map { ($0.patient.id, "Patient", $0.patient.id.description) }, actor: context.account,
                                        basis: Basis.careTeam(role: context.account.role, organization: organization), info: context.info)
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
        let organization = try await context.organization(permitting: .issueActivationCode, env: env)
        let id = try context.parameters.require("request")
        let now = Date()
        try await env.database.write { sql in
            let requests = RegistrationRequestRepository(sql)
            // Only a pending check of a patient of this organization: anything else is not found.
            guard let pending = try await requests.pendingIdentityCheck(id: id, at: now),
                  let patient = try await PatientRepository(sql).find(id: pending.patient), patient.organization == organization
            else { throw HTTPError(.notFound) }
            try await requests.dismiss(id: id, at: now, by: context.account.id)
            try await env.audit.record(AuditEvent(.identityCheckResolved, info: context.info, actor: context.account, patient: patient.id,
                                                  resourceType: "RegistrationRequest", resourceID: id), on: sql)
        }
        return Response(status: .seeOther, headers: [.location: Paths.identityChecks])
    }
}
