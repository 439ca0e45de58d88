import CareVaultCore
import CareVaultStore
import Foundation
import Hummingbird

/// Patients (and proxies allowed to contribute) tell their care team about an allergy, a medicine they
/// take or a condition they have. Each becomes a FHIR resource the patient asserted, unconfirmed, shown
/// apart from what clinicians entered, and waits in the review queue.
struct ReportEntryController: Sendable {
    let env: AppEnvironment

    func addRoutes(to router: Router<AppRequestContext>) {
        let group = router.group(context: SignedInRequestContext.self)
        group.get("/patients/:patient/reported/:kind", use: form)
        group.post("/patients/:patient/reported/:kind", use: add)
    }

    @Sendable func form(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        let kind = try context.parameters.reportedEntryKind()
        let patient = try await open(context, kind).patient
        return env.renderer.response(page(context, patient: patient, kind: kind, form: nil, failure: nil))
    }

    @Sendable func add(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        var request = request
        let kind = try context.parameters.reportedEntryKind()
        let record = try await open(context, kind)
        let patient = record.patient
        let form = try await request.form()
        let id = UUID().uuidString.lowercased()
        let input = ReportedEntryInput(kind: kind, name: form.value("name"), detail: form.value("detail"), since: form.value("since"))
        let asserter = ContributionService.performer(in: record, account: context.account)
        switch input.resource(id: id, patient: patient.id.description, asserter: asserter, recorded: Date().formatted(.iso8601), today: BirthDate(Date())) {
        case .failure(let failure):
            return env.renderer.response(page(context, patient: patient, kind: kind, form: form, failure: failure), status: .badRequest)
        case .success(let json):
            let reviewKind: ReviewItem.Kind = switch kind {
            case .allergy: .allergy
            case .medication: .medication
            case .condition: .condition
            }
            try await ContributionService(env: env).record(
                [.init(json: json, resourceType: kind.resourceType, id: id, kind: reviewKind, queued: true, reason: nil)],
                in: record, by: context.account, info: context.info, action: .entryReported,
                activity: "Reported by the patient")
            throw Redirect.to(Paths.recordSection(patient.id.description, kind.section) + "?notice=entry-reported")
        }
    }

    private func open(_ context: SignedInRequestContext, _ kind: ReportedEntryKind) async throws -> PatientRecord {
        try await env.records.open(try context.parameters.require("patient"), for: .contributeToRecord, context: context, target: ResourceRef(type: kind.resourceType, id: "reported"))
    }

    private func page(_ context: SignedInRequestContext, patient: Patient, kind: ReportedEntryKind, form: FormData?, failure: ValidationFailure?) -> ReportEntryPage {
        let id = patient.id.description
        return ReportEntryPage(
            layout: context.layout(kind.heading), heading: kind.heading, errorSummary: ErrorSummary(failure), action: Paths.reportEntry(id, kind),
            name: FormField(name: "name", label: kind.nameLabel, value: form?.value("name") ?? "", hint: kind.example, error: failure?.error("name")),
            detail: FormField(name: "detail", label: kind.detailLabel, value: form?.value("detail") ?? "", error: failure?.error("detail"), required: false),
            since: FormField(name: "since", label: kind.sinceLabel, type: "date", value: form?.value("since") ?? "", error: failure?.error("since"), required: false),
            backLink: Paths.recordSection(id, kind.section))
    }
}
