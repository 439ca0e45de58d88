import CareVaultCore
import CareVaultStore
import Hummingbird

/// A patient's record pages. Every request is decided by the policy and audited.
struct PatientRecordController: Sendable {
    let env: AppEnvironment

    func addRoutes(to router: Router<AppRequestContext>) {
        let group = router.group(context: SignedInRequestContext.self)
        group.get("/patients/:patient", use: home)
    }

    @Sendable func home(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        let (patient, basis) = try await PatientAccess(env: env).open(
            try context.parameters.require("patient"), for: .readRecord, actor: context.actor,
            account: context.account, info: context.info)
        let isOwn = basis == .ownRecord
        let stored = try await env.database.read {
            try await FHIRResourceRepository($0).search(patientScope: patient.id.description,
                                                        RecordQuery(resourceType: "Observation", category: "laboratory", limit: 5))
        }
        let recent = stored.compactMap { resource in (try? JSONParser.parse(resource.json)).flatMap { LabResult(id: resource.id, json: $0) } }
        try await env.audit.recordReads(recent.map { ("Observation", $0.id) }, patient: patient.id, actor: context.account,
                                        basis: basis, info: context.info)
        let rows = recent.map { LabResultsPage.Row($0, patient: patient.id) }
        return env.renderer.response(PatientHomePage(
            layout: context.layout(isOwn ? "Your record" : patient.fullName, request: request),
            patientName: patient.fullName, birthDate: patient.birthDate.description, mrn: patient.mrn,
            suggestTwoFactor: isOwn && !context.account.hasSecondFactor, viewedByStaff: !isOwn,
            recentResults: rows, hasResults: !rows.isEmpty, resultsLink: Paths.labResults(patient.id.description),
            visitsLink: Paths.visits(patient.id.description)))
    }
}
