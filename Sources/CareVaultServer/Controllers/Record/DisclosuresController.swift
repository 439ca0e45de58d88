import CareVaultCore
import CareVaultStore
import Foundation
import Hummingbird

/// The accounting of disclosures: the patient's report of the last six years (page, CSV, PDF), and the
/// form staff record a disclosure with.
struct DisclosuresController: Sendable {
    let env: AppEnvironment

    func addRoutes(to router: Router<AppRequestContext>) {
        let group = router.group(context: SignedInRequestContext.self)
        group.get("/patients/:patient/disclosures", use: page)
        group.get("/patients/:patient/disclosures.csv", use: csv)
        group.get("/patients/:patient/disclosures.pdf", use: pdf)
        let staff = router.group(context: StaffRequestContext.self)
        staff.get("/staff/patients/:patient/disclosures/new", use: form)
        staff.post("/staff/patients/:patient/disclosures/new", use: create)
    }

    private func open(_ context: some RecordRequestContext, download: Bool = false) async throws -> PatientRecord {
        try await env.records.open(try context.parameters.require("patient"), for: .readAccessLog, context: context,
                                   target: ResourceRef(type: "Disclosure", id: "report"), auditAs: download ? .recordDownloaded : nil)
    }

    @Sendable func page(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        let record = try await open(context)
        let report = DisclosureReport(env: env)
        let disclosures = try await report.load(record)
        let rows = DisclosureReport.rows(disclosures).map { DisclosuresPage.Row(date: $0[0], recipient: $0[1], what: $0[2], purpose: $0[3], recordedBy: $0[4]) }
        return env.renderer.response(DisclosuresPage(
            layout: context.layout("Disclosures", request: request),
            heading: record.isOwn ? "Who your information was disclosed to" : "Disclosures of \(record.patient.fullName)'s information",
            patientName: record.patient.fullName, since: PlainDate.day(report.since().description), rows: rows, isEmpty: rows.isEmpty,
            csvLink: Paths.disclosuresCSV(record.scope), pdfLink: Paths.disclosuresPDF(record.scope),
            newLink: record.allows(.recordDisclosure) ? Paths.newDisclosure(record.scope) : nil, backLink: Paths.patientHome(record.scope)))
    }

    @Sendable func csv(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        let record = try await open(context, download: true)
        let report = DisclosureReport(env: env)
        let text = report.csv(try await report.load(record))
        return Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"disclosures.csv\"",
                                               .cacheControl: "no-store"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    @Sendable func pdf(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        let record = try await open(context, download: true)
        let report = DisclosureReport(env: env)
        let data = try report.pdf(try await report.load(record), patient: record.patient)
        return Response(status: .ok, headers: [.contentType: "application/pdf", .contentDisposition: "attachment; filename=\"disclosures.pdf\"",
                                               .cacheControl: "no-store"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    private func openToRecord(_ context: StaffRequestContext) async throws -> PatientRecord {
        try await env.records.open(try context.parameters.require("patient"), for: .recordDisclosure, context: context,
                                   target: ResourceRef(type: "Disclosure", id: "new"))
    }

    private func formPage(_ context: StaffRequestContext, record: PatientRecord, entry: DisclosureReport.Entry, failure: ValidationFailure?) -> FormPage {
        FormPage(
            layout: context.layout("Record a disclosure"), heading: "Record a disclosure of \(record.patient.fullName)'s information",
            intro: ["Only disclosures outside treatment, payment and the clinic's operations: to a court, a public health authority, an employer or insurer at the patient's request. The patient can read every one."],
            failure: failure, action: Paths.newDisclosure(record.scope),
            fields: [
                FormField(name: "date", label: "Date disclosed", value: entry.date, hint: "For example 2026-11-30", error: failure?.error("date")),
                FormField(name: "recipient", label: "To whom", value: entry.recipient, hint: "A person or organization, and where", error: failure?.error("recipient")),
                FormField(name: "what", label: "What was disclosed", value: entry.what, hint: "For example lab results from March 2026", error: failure?.error("what")),
                FormField(name: "purpose", label: "Why", value: entry.purpose, hint: "For example a court order, ref. 2026/123", error: failure?.error("purpose")),
            ],
            submitLabel: "Record the disclosure", links: [Link(href: Paths.disclosures(record.scope), text: "Back to the disclosures")])
    }

    @Sendable func form(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let record = try await openToRecord(context)
        return env.renderer.response(formPage(context, record: record, entry: .init(), failure: nil))
    }

    @Sendable func create(_ request: Request, context: StaffRequestContext) async throws -> Response {
        var request = request
        let form = try await request.form()
        let record = try await openToRecord(context)
        let entry = DisclosureReport.Entry(date: form.value("date"), recipient: form.value("recipient"), what: form.value("what"),
                                           purpose: form.value("purpose"))
        do {
            try await DisclosureReport(env: env).record(entry, in: record, by: context.account, info: context.info)
        } catch let failure as ValidationFailure {
            return env.renderer.response(formPage(context, record: record, entry: entry, failure: failure), status: .badRequest)
        }
        throw Redirect.to(Paths.disclosures(record.scope))
    }
}
