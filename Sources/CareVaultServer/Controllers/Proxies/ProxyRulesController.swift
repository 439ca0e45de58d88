import CareVaultCore
import CareVaultStore
import Foundation
import Hummingbird

/// Administrators choose which kinds of care are kept from parents of adolescents, and by which codes.
struct ProxyRulesController: Sendable {
    let env: AppEnvironment

    func addRoutes(to router: Router<AppRequestContext>) {
        let group = router.group(context: StaffRequestContext.self)
        group.get(RouterPath(Paths.proxyRules), use: form)
        group.post(RouterPath(Paths.proxyRules), use: save)
    }

    private func requireAdmin(_ context: StaffRequestContext) throws {
        guard AuthorizationPolicy.decide(context.actor, .configureAccess, patient: nil).isPermitted else { throw HTTPError(.notFound) }
    }

    @Sendable func form(_ request: Request, context: StaffRequestContext) async throws -> Response {
        try requireAdmin(context)
        let rules = try await ProxyRulesService(env: env).current()
        return env.renderer.response(page(context, request: request, rules: rules, typed: [:], failure: nil))
    }

    @Sendable func save(_ request: Request, context: StaffRequestContext) async throws -> Response {
        var request = request
        try requireAdmin(context)
        let form = try await request.form()
        var rules = try await ProxyRulesService(env: env).current()
        var v = FieldValidator()
        var typed: [String: String] = [:]
        for (index, category) in rules.confidential.enumerated() {
            let text = form.value("codes-\(category.id)")
            typed[category.id] = text
            rules.confidential[index].applies = form.value("applies-\(category.id)") == "yes"
            if let codes = v.check({ () throws(FieldError) in try ProxyRulesService.codes(text, field: "codes-\(category.id)") }) {
                rules.confidential[index].codes = codes
            }
        }
        rules.hidesClinicalNotesFromParents = form.value("hideNotes") == "yes"
        do {
            try v.finish()
        } catch {
            return env.renderer.response(page(context, request: request, rules: rules, typed: typed, failure: error), status: .badRequest)
        }
        try await ProxyRulesService(env: env).save(rules, by: context.account, info: context.info)
        throw Redirect.to(Paths.proxyRules + "?notice=proxy-rules-saved")
    }

    private func page(_ context: StaffRequestContext, request: Request, rules: ProxyRules, typed: [String: String],
                      failure: ValidationFailure?) -> ProxyRulesPage {
        ProxyRulesPage(
            layout: context.layout("Proxy rules", request: request), errorSummary: ErrorSummary(failure), action: Paths.proxyRules,
            adolescentAge: String(rules.adolescentAge),
            categories: rules.confidential.map { category in
                .init(name: category.name, appliesField: "applies-\(category.id)", codesField: "codes-\(category.id)",
                      applies: category.applies, codes: typed[category.id] ?? category.codes.sorted().joined(separator: "\n"),
                      error: failure?.error("codes-\(category.id)"))
            },
            hidesClinicalNotes: rules.hidesClinicalNotesFromParents)
    }
}
