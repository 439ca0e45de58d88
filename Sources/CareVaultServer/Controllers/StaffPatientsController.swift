import Foundation
import CareVaultCore
import CareVaultStore
import Hummingbird

/// Staff pages: find patients, register a patient, issue activation codes.
struct StaffPatientsController: Sendable {
    static let pageSize = 25
    let env: AppEnvironment

    func addRoutes(to router: Router<AppRequestContext>) {
        let group = router.group(context: StaffRequestContext.self)
        group.get(RouterPath(Paths.staffPatients), use: list)
        group.get(RouterPath(Paths.staffNewPatient)) { _, context in env.renderer.response(newPatientForm(context: context)) }
        group.post(RouterPath(Paths.staffPatients), use: create)
        group.get("/staff/patients/:patient", use: show)
        group.post("/staff/patients/:patient/activation-code", use: issueCode)
    }

    @Sendable func list(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let (organization, basis) = try context.permit(.findPatients).parts
        let query = (FormQuery(request)["q"] ?? "").trimmingCharacters(in: .whitespaces)
        let page = Paging.page(of: request)
        let (patients, withAccounts) = try await PatientDirectory(env: env).search(organization: organization, matching: query,
                                                                                   limit: Self.pageSize, offset: page * Self.pageSize)
        // Names and patient IDs on the list are patient data: each patient shown is an audited read.
        // One event per patient shown, so each patient's access log shows the listing.
        try await env.audit.recordReads(patients.prefix(Self.pageSize).map { ($0.id, "Patient", $0.id.description) },
                                        actor: context.account, basis: basis, info: context.info)
        let rows = patients.prefix(Self.pageSize).map { p in
            StaffPatientsPage.Row(name: p.fullName, mrn: p.mrn, birthDate: PlainDate.day(p.birthDate.description),
                                  link: Paths.staffPatient(p.id.description), hasAccount: withAccounts.contains(p.id))
        }
        let encodedQuery = Paths.queryValue(query)
        return env.renderer.response(StaffPatientsPage(
            layout: context.layout("Patients", request: request), query: query, patients: Array(rows), isEmpty: rows.isEmpty,
            nextPageLink: patients.count > Self.pageSize ? "\(Paths.staffPatients)?q=\(encodedQuery)&page=\(page + 1)" : nil,
            previousPageLink: page > 0 ? "\(Paths.staffPatients)?q=\(encodedQuery)&page=\(page - 1)" : nil))
    }

    func newPatientForm(context: StaffRequestContext, form: FormData? = nil, failure: ValidationFailure? = nil) -> FormPage {
        FormPage(
            layout: context.layout("Register a patient"), heading: "Register a patient",
            intro: ["After you save, you get an activation code to give to the patient."],
            failure: failure, action: Paths.staffPatients,
            fields: [
                FormField(name: "mrn", label: "Patient ID (MRN)", value: form?.value("mrn") ?? "", error: failure?.error("mrn")),
                FormField(name: "givenName", label: "First name", value: form?.value("givenName") ?? "", error: failure?.error("givenName")),
                FormField(name: "familyName", label: "Last name", value: form?.value("familyName") ?? "", error: failure?.error("familyName")),
                FormField(name: "birthDate", label: "Date of birth", value: form?.value("birthDate") ?? "", hint: FormHints.birthDate, error: failure?.error("birthDate")),
                FormField(name: "email", label: "Email address (optional)", type: "email", value: form?.value("email") ?? "", error: failure?.error("email"), required: false, inputmode: "email"),
            ],
            submitLabel: "Register patient", links: [Link(href: Paths.staffPatients, text: "Back to patients")])
    }

    @Sendable func create(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let organization = try context.organization(permitting: .registerPatient)
        var request = request
        let form = try await request.form()
        do {
            let (patient, code) = try await AccountService(env: env).createPatient(
                mrn: form.value("mrn"), givenName: form.value("givenName"), familyName: form.value("familyName"),
                birthDate: form.value("birthDate"), email: form.value("email"), organization: organization,
                by: context.account, info: context.info)
            return try await detail(patient.id.description, context: context, newCode: code, status: .created)
        } catch let failure as ValidationFailure {
            return env.renderer.response(newPatientForm(context: context, form: form, failure: failure), status: .badRequest)
        }
    }

    @Sendable func show(_ request: Request, context: StaffRequestContext) async throws -> Response {
        try await detail(try context.parameters.require("patient"), context: context, newCode: nil)
    }

    @Sendable func issueCode(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let id = try context.parameters.require("patient")
        let patient = try await env.records.open(id, for: .issueActivationCode, context: context).patient
        do {
            let code = try await AccountService(env: env).issueActivationCode(for: patient, by: context.account, info: context.info)
            return try await detail(id, context: context, newCode: code)
        } catch let failure as ValidationFailure {
            throw HTTPError(.conflict, message: failure.errors.first?.message ?? "")
        }
    }

    private func detail(_ id: String, context: StaffRequestContext, newCode: HumanCode?, status: HTTPResponse.Status = .ok) async throws -> Response {
        let record = try await env.records.open(id, for: .readRecord, context: context)
        let patient = record.patient
        record.shown([("Patient", patient.id.description)])
        let hasAccount = try await PatientDirectory(env: env).hasAccount(patient.id)
        return env.renderer.response(StaffPatientPage(
            layout: context.layout(patient.fullName), name: patient.fullName, mrn: patient.mrn,
            birthDate: PlainDate.day(patient.birthDate.description), email: patient.email ?? "Not given", hasAccount: hasAccount,
            newActivationCode: newCode?.display,
            codeExpires: newCode.map { _ in PlainDate.day(Date().addingTimeInterval(AccountService.activationCodeLifetime), in: env.configuration.timeZone) },
            issueCodeAction: Paths.staffPatientCode(patient.id.description),
            recordLink: Paths.patientHome(patient.id.description), proxiesLink: Paths.proxies(patient.id.description),
            disclosuresLink: Paths.disclosures(patient.id.description),
            imageConsentLink: record.allows(.writeRecord) ? Paths.newImageConsent(patient.id.description) : nil,
            imageConsentsLink: Paths.imageConsents(patient.id.description)), status: status)
    }
}
