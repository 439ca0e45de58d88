import CareVaultCore
import CareVaultStore
import Foundation
import Hummingbird

/// The release workflow's pages: clinicians release held items (one, or a ticked batch); administrators
/// set each section's rule. Every release and every rule change is audited.
struct ReleaseController: Sendable {
    static let pageSize = 50
    let env: AppEnvironment

    func addRoutes(to router: Router<AppRequestContext>) {
        let group = router.group(context: StaffRequestContext.self)
        group.get(RouterPath(Paths.releaseQueue), use: queue)
        group.post(RouterPath(Paths.releaseQueue), use: release)
        group.get(RouterPath(Paths.releaseRules), use: rules)
        group.post(RouterPath(Paths.releaseRules), use: saveRules)
    }

    @Sendable func queue(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let (organization, basis) = try context.permit(.releaseRecords).parts
        let page = Paging.page(of: request)
        let held = try await RecordReleaseService(env: env).held(organization: organization, limit: Self.pageSize, offset: page * Self.pageSize)
        let shown = held.prefix(Self.pageSize)
        try await env.audit.recordReads(shown.compactMap { item in
            item.resource.patient.map { ($0, item.resource.resourceType, item.resource.id) }
        }, actor: context.account, basis: basis, info: context.info)
        let items = shown.enumerated().map { i, item in
            let r = item.resource
            let entry = (try? JSONParser.parse(r.json)).map { RecordEntry(resourceType: r.resourceType, id: r.id, json: $0) }
            return ReleaseQueuePage.Item(
                value: "\(r.resourceType)/\(r.id)", fieldID: "item-\(i)", patientName: item.patientName, mrn: item.mrn,
                section: r.section?.title ?? "", name: entry?.name ?? r.resourceType, date: entry?.date.map(PlainDate.day) ?? "",
                arrived: PlainDate.instant(r.lastUpdated, in: env.configuration.timeZone), link: Paths.recordItem(r.patient?.description ?? "", type: r.resourceType, id: r.id))
        }
        return env.renderer.response(ReleaseQueuePage(
            layout: context.layout("Release queue", request: request), action: Paths.releaseQueue, items: items, isEmpty: items.isEmpty,
            previousPageLink: page > 0 ? "\(Paths.releaseQueue)?page=\(page - 1)" : nil,
            nextPageLink: held.count > Self.pageSize ? "\(Paths.releaseQueue)?page=\(page + 1)" : nil))
    }

    /// Releases the item of the "Release this one" button, or else every ticked item.
    @Sendable func release(_ request: Request, context: StaffRequestContext) async throws -> Response {
        var request = request
        let (organization, basis) = try context.permit(.releaseRecords).parts
        let form = try await request.form()
        let chosen = form.value("only").isEmpty ? form.values("item") : [form.value("only")]
        let items = chosen.prefix(500).compactMap { value -> (type: String, id: String)? in
            let parts = value.split(separator: "/", maxSplits: 1).map(String.init)
            return parts.count == 2 ? (parts[0], parts[1]) : nil
        }
        guard !items.isEmpty else { throw Redirect.to(Paths.releaseQueue + "?notice=release-none") }
        let released = try await RecordReleaseService(env: env).release(items, organization: organization, by: context.account, basis: basis,
                                                                        info: context.info)
        throw Redirect.to(Paths.releaseQueue + "?notice=" + (released.isEmpty ? "release-none" : "released"))
    }

    @Sendable func rules(_ request: Request, context: StaffRequestContext) async throws -> Response {
        try requireRuleAdmin(context)
        let rules = try await RecordReleaseService(env: env).rules()
        return env.renderer.response(rulesPage(context, request: request, rules: rules, form: nil, failure: nil))
    }

    @Sendable func saveRules(_ request: Request, context: StaffRequestContext) async throws -> Response {
        var request = request
        try requireRuleAdmin(context)
        let form = try await request.form()
        var chosen: [(RecordSection, ReleaseRule)] = []
        var errors: [FieldError] = []
        for section in RecordSection.allCases {
            let name = form.value("rule-\(section.rawValue)")
            let hoursText = form.value("hours-\(section.rawValue)").trimmingCharacters(in: .whitespaces)
            let hours = Int(hoursText)
            if name == "delay" && (hours == nil || !(1...ReleaseRule.maximumDelayHours).contains(hours!)) {
                errors.append(FieldError(field: "hours-\(section.rawValue)",
                                         message: "\(section.title): enter a delay from 1 to \(ReleaseRule.maximumDelayHours) hours."))
                continue
            }
            guard let rule = ReleaseRule(storedName: name.isEmpty ? "immediately" : name, delayHours: hours) else {
                errors.append(FieldError(field: "rule-\(section.rawValue)", message: "\(section.title): choose when items are released."))
                continue
            }
            chosen.append((section, rule))
        }
        if !errors.isEmpty {
            let rules = try await RecordReleaseService(env: env).rules()
            return env.renderer.response(rulesPage(context, request: request, rules: rules, form: form, failure: ValidationFailure(errors)),
                                         status: .badRequest)
        }
        try await RecordReleaseService(env: env).setRules(chosen, by: context.account, info: context.info)
        throw Redirect.to(Paths.releaseRules + "?notice=release-rules-saved")
    }

    private func requireRuleAdmin(_ context: StaffRequestContext) throws {
        guard AuthorizationPolicy.decide(context.actor, .configureRelease, patient: nil).isPermitted else { throw HTTPError(.notFound) }
    }

    private func rulesPage(_ context: StaffRequestContext, request: Request, rules: [RecordSection: ReleaseRule], form: FormData?,
                           failure: ValidationFailure?) -> ReleaseRulesPage {
        ReleaseRulesPage(
            layout: context.layout("Release rules", request: request), errorSummary: ErrorSummary(failure), action: Paths.releaseRules,
            sections: RecordSection.allCases.map { section in
                let rule = rules[section] ?? .immediately
                let chosen = form?.value("rule-\(section.rawValue)") ?? rule.storedName
                let options = [("immediately", "At once"), ("delay", "After a delay"), ("sign-off", "After a clinician releases it")]
                return ReleaseRulesPage.Section(
                    key: section.rawValue, title: section.title, current: rule.description,
                    rule: SelectField(name: "rule-\(section.rawValue)", label: "Release", options: options.map {
                        SelectField.Option(value: $0.0, text: $0.1, selected: $0.0 == chosen)
                    }, error: failure?.error("rule-\(section.rawValue)")),
                    hours: FormField(name: "hours-\(section.rawValue)", label: "Delay in hours (for \"After a delay\")", type: "text",
                                     value: form?.value("hours-\(section.rawValue)") ?? rule.delayHours.map(String.init) ?? "",
                                     error: failure?.error("hours-\(section.rawValue)"), required: false, inputmode: "numeric"))
            })
    }
}
