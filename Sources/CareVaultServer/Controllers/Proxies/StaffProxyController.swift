import CareVaultCore
import CareVaultStore
import Foundation
import Hummingbird

/// Staff set up proxy access for a parent or guardian of a minor, or a legal representative of an adult
/// who cannot do it themselves, after checking a document; audited with the staff member's name.
struct StaffProxyController: Sendable {
    let env: AppEnvironment

    func addRoutes(to router: Router<AppRequestContext>) {
        let group = router.group(context: StaffRequestContext.self)
        group.get("/staff/patients/:patient/proxies/new", use: form)
        group.post("/staff/patients/:patient/proxies/new", use: create)
    }

    private func open(_ context: StaffRequestContext) async throws -> PatientRecord {
        try await env.records.open(try context.parameters.require("patient"), for: .manageRecordAccess, context: context,
                                   target: ResourceRef(type: "ProxyGrant", id: "new"))
    }

    @Sendable func form(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let record = try await open(context)
        var invitation = ProxyGrantService.Invitation()
        invitation.relationship = .parent
        return env.renderer.response(ProxyForms.staffSetUp(layout: context.layout("Set up proxy access", request: request), record: record,
                                                           invitation: invitation, endsOn: "", failure: nil))
    }

    @Sendable func create(_ request: Request, context: StaffRequestContext) async throws -> Response {
        var request = request
        let form = try await request.form()
        let record = try await open(context)
        var invitation = ProxyGrantService.Invitation()
        invitation.name = form.value("name")
        invitation.email = form.value("email")
        let relationship = ProxyRelationship(rawValue: form.value("relationship")).flatMap { $0 == .caregiver ? nil : $0 }
        invitation.relationship = relationship ?? .parent
        invitation.scopes = Set(form.values("scopes").compactMap(ProxyScope.init(rawValue:)))
        invitation.confirmation = .code
        let endsOn = form.value("endsOn").trimmingCharacters(in: .whitespaces)
        var errors: [FieldError] = []
        if relationship == nil { errors.append(FieldError(field: "relationship", message: "Choose parent, guardian or power of attorney.")) }
        if !endsOn.isEmpty {
            if let day = BirthDate(endsOn), day.startOfDay(in: env.configuration.timeZone) > Date() { invitation.endsOn = day } else {
                errors.append(FieldError(field: "endsOn", message: "Enter a date in the future as YYYY-MM-DD, or leave it empty."))
            }
        }
        let (type, reference, date) = (form.value("documentType").trimmingCharacters(in: .whitespaces),
                                       form.value("documentReference").trimmingCharacters(in: .whitespaces),
                                       form.value("documentDate").trimmingCharacters(in: .whitespaces))
        if type.isEmpty || type.count > 100 { errors.append(FieldError(field: "documentType", message: "Enter the type of document you checked.")) }
        if reference.isEmpty || reference.count > 100 { errors.append(FieldError(field: "documentReference", message: "Enter the document's reference or number.")) }
        if BirthDate(date) == nil { errors.append(FieldError(field: "documentDate", message: "Enter the date the document was issued, as YYYY-MM-DD.")) }
        if errors.isEmpty { invitation.document = ProxyDocument(type: type, reference: reference, date: date) }
        do {
            if !errors.isEmpty { throw ValidationFailure(errors) }
            let created = try await ProxyGrantService(env: env).invite(invitation, record: record, by: context.account, info: context.info)
            return env.renderer.response(ProxyForms.sent(created, layout: context.layout("Proxy access set up"), record: record))
        } catch let failure as ValidationFailure {
            return env.renderer.response(ProxyForms.staffSetUp(layout: context.layout("Set up proxy access"), record: record, invitation: invitation,
                                                               endsOn: endsOn, failure: failure), status: .badRequest)
        }
    }
}
