import CareVaultCore
import CareVaultStore
import Foundation
import Hummingbird

/// "Who can act for me": the patient (or whoever may manage access to the record) sees every proxy
/// grant, invites someone, changes what they may do, renews and ends access. All through the record's
/// door, opened for ``Action/manageRecordAccess``.
struct ProxiesController: Sendable {
    let env: AppEnvironment

    func addRoutes(to router: Router<AppRequestContext>) {
        let group = router.group(context: SignedInRequestContext.self)
        group.get("/patients/:patient/proxies", use: list)
        group.get("/patients/:patient/proxies/new", use: inviteForm)
        group.post("/patients/:patient/proxies/new", use: invite)
        group.get("/patients/:patient/proxies/:grant", use: changeForm)
        group.post("/patients/:patient/proxies/:grant", use: change)
        group.post("/patients/:patient/proxies/:grant/revoke", use: revoke)
        group.post("/patients/:patient/proxies/:grant/renew", use: renew)
        group.post("/patients/:patient/proxies/:grant/widen", use: widen)
    }

    private func open(_ context: SignedInRequestContext, grant: String? = nil) async throws -> PatientRecord {
        try await env.records.open(try context.parameters.require("patient"), for: .manageRecordAccess, context: context,
                                   target: ResourceRef(type: "ProxyGrant", id: grant ?? "list"))
    }

    private func grantID(_ context: SignedInRequestContext) throws -> GrantID {
        guard let id = GrantID(try context.parameters.require("grant")) else { throw HTTPError(.notFound) }
        return id
    }

    @Sendable func list(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        let record = try await open(context)
        let grants = try await record.read { try await $0.proxyGrants() }
        let now = Date(), rules = env.configuration.proxyRules, zone = env.configuration.timeZone, scope = record.scope
        let age = record.patient.birthDate.age(at: now, in: zone)
        let adolescent = age >= rules.adolescentAge && age < rules.adultAge
        let clinician = record.allows(.writeRecord) && record.basis.isCareTeam
        let rows = grants.map { stored in
            let live = ProxyWords.isLive(stored, birthDate: record.patient.birthDate, now: now, rules: rules, zone: zone)
            let accepted = stored.grant.acceptedAt != nil
            return ProxiesPage.Row(
                name: stored.proxyName, email: stored.proxyEmail, relationship: stored.grant.relationship.plainText.capitalized,
                scopes: ProxyWords.scopes(stored.grant.scopes),
                status: ProxyWords.status(stored, birthDate: record.patient.birthDate, now: now, rules: rules, zone: zone),
                since: PlainDate.day(stored.grant.acceptedAt ?? stored.createdAt, in: zone),
                ends: stored.grant.expiresAt.map { PlainDate.day($0, in: zone) } ?? "When it is ended",
                lastUsed: stored.lastUsedAt.map { PlainDate.instant($0, in: zone) } ?? "Not yet",
                document: ProxyWords.document(stored.document),
                editLink: live ? Paths.proxy(scope, stored.id.description) : nil,
                renewAction: live && stored.grant.relationship == .caregiver && record.isOwn ? Paths.renewProxy(scope, stored.id.description) : nil,
                revokeAction: live ? Paths.revokeProxy(scope, stored.id.description) : nil,
                revokeLabel: accepted ? "End \(stored.proxyName)'s access now" : "Withdraw the invitation",
                endsSoon: live && (stored.grant.expiresAt.map { $0.timeIntervalSince(now) < 30 * 24 * 3600 } ?? false),
                widenAction: live && accepted && stored.grant.relationship == .parent && clinician && adolescent
                    ? Paths.widenProxy(scope, stored.id.description) : nil,
                grantID: stored.id.description,
                widened: stored.grant.widenedUntil.flatMap { until in
                    until > now ? "Until \(PlainDate.day(until, in: zone)), as the young person agreed: \(stored.wideningAgreement ?? "")" : nil
                })
        }
        return env.renderer.response(ProxiesPage(
            layout: context.layout("Who can act for this patient", request: request),
            heading: record.isOwn ? "Who can act for me" : "Who can act for \(record.patient.fullName)", patientName: record.patient.fullName,
            inviteLink: record.basis.isCareTeam ? Paths.staffNewProxy(scope) : Paths.newProxy(scope),
            grants: rows, hasGrants: !rows.isEmpty, backLink: Paths.patientHome(scope)))
    }

    @Sendable func inviteForm(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        let record = try await open(context)
        guard !record.basis.isCareTeam else { throw Redirect.to(Paths.staffNewProxy(record.scope)) }
        return env.renderer.response(ProxyForms.invite(layout: context.layout("Invite someone", request: request), record: record,
                                                       invitation: .init(), rules: env.configuration.proxyRules, failure: nil))
    }

    @Sendable func invite(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        var request = request
        let form = try await request.form()
        let record = try await open(context)
        guard !record.basis.isCareTeam else { throw HTTPError(.notFound) }
        var invitation = ProxyGrantService.Invitation()
        invitation.name = form.value("name")
        invitation.email = form.value("email")
        invitation.scopes = Set(form.values("scopes").compactMap(ProxyScope.init(rawValue:)))
        invitation.months = Int(form.value("months"))
        invitation.confirmation = ProxyConfirmation(rawValue: form.value("confirmWith")) ?? .code
        do {
            let created = try await ProxyGrantService(env: env).invite(invitation, record: record, by: context.account, info: context.info)
            return env.renderer.response(ProxyForms.sent(created, layout: context.layout("Invitation sent"), record: record))
        } catch let failure as ValidationFailure {
            return env.renderer.response(ProxyForms.invite(layout: context.layout("Invite someone"), record: record, invitation: invitation,
                                                           rules: env.configuration.proxyRules, failure: failure), status: .badRequest)
        }
    }

    @Sendable func changeForm(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        let id = try grantID(context)
        let record = try await open(context, grant: id.description)
        guard let stored = try await record.read({ try await $0.proxyGrants() }).first(where: { $0.id == id }), stored.grant.revokedAt == nil else {
            throw HTTPError(.notFound)
        }
        return env.renderer.response(ProxyForms.change(layout: context.layout("Change proxy access", request: request), record: record, grant: stored,
                                                       scopes: stored.grant.scopes, months: nil, rules: env.configuration.proxyRules, failure: nil))
    }

    @Sendable func change(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        var request = request
        let form = try await request.form()
        let id = try grantID(context)
        let record = try await open(context, grant: id.description)
        let scopes = Set(form.values("scopes").compactMap(ProxyScope.init(rawValue:)))
        let months = form.value("months").isEmpty ? nil : Int(form.value("months")) ?? 0
        do {
            try await ProxyGrantService(env: env).change(id, scopes: scopes, months: months, record: record, by: context.account, info: context.info)
        } catch let failure as ValidationFailure {
            guard let stored = try await record.read({ try await $0.proxyGrants() }).first(where: { $0.id == id }) else { throw HTTPError(.notFound) }
            return env.renderer.response(ProxyForms.change(layout: context.layout("Change proxy access"), record: record, grant: stored, scopes: scopes,
                                                           months: months, rules: env.configuration.proxyRules, failure: failure), status: .badRequest)
        } catch ProxyGrantError.notFound { throw HTTPError(.notFound) }
        throw Redirect.to(Paths.proxies(record.scope) + "?notice=proxy-changed")
    }

    @Sendable func revoke(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        let id = try grantID(context)
        let record = try await open(context, grant: id.description)
        do {
            try await ProxyGrantService(env: env).revoke(id, record: record, by: context.account, info: context.info)
        } catch ProxyGrantError.notFound { throw HTTPError(.notFound) }
        throw Redirect.to(Paths.proxies(record.scope) + "?notice=proxy-revoked")
    }

    @Sendable func widen(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        var request = request
        let form = try await request.form()
        let id = try grantID(context)
        let record = try await open(context, grant: id.description)
        do {
            try await ProxyGrantService(env: env).widen(id, agreement: form.value("agreement"), agreed: form.value("agreed") == "yes", record: record,
                                                        by: context.account, info: context.info)
        } catch ProxyGrantError.notFound { throw HTTPError(.notFound) }
        throw Redirect.to(Paths.proxies(record.scope) + "?notice=proxy-changed")
    }

    @Sendable func renew(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        let id = try grantID(context)
        let record = try await open(context, grant: id.description)
        do {
            try await ProxyGrantService(env: env).renew(id, record: record, by: context.account, info: context.info)
        } catch ProxyGrantError.notFound { throw HTTPError(.notFound) }
        throw Redirect.to(Paths.proxies(record.scope) + "?notice=proxy-renewed")
    }
}
