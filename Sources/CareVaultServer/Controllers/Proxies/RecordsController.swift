import CareVaultCore
import CareVaultStore
import Foundation
import Hummingbird

/// "Records you can open": the person's own record and every record they hold proxy access to, with
/// what that access allows and until when, and the way to give it up.
struct RecordsController: Sendable {
    let env: AppEnvironment

    func addRoutes(to router: Router<AppRequestContext>) {
        let group = router.group(context: SignedInRequestContext.self)
        group.get(RouterPath(Paths.records), use: list)
        group.post("/records/proxy/:grant/give-up", use: giveUp)
    }

    @Sendable func list(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        guard AuthorizationPolicy.opensRecordsAsAPerson(context.actor) else { throw HTTPError(.notFound) }
        let now = Date(), rules = env.configuration.proxyRules, zone = env.configuration.timeZone
        var entries: [RecordsPage.Entry] = []
        if let own = context.account.patient {
            entries.append(.init(name: "My record", link: Paths.patientHome(own.description), description: "Your own health record.", giveUpAction: nil))
        }
        for held in context.session.proxyGrants {
            let stored = held.stored
            let standing = stored.grant.standing(at: now, patientBirthDate: held.patientBirthDate, timeZone: zone, rules: rules)
            guard case .active = standing else {
                entries.append(.init(name: held.patientName, link: nil,
                                     description: ProxyWords.status(stored, birthDate: held.patientBirthDate, now: now, rules: rules, zone: zone) + ".",
                                     giveUpAction: nil))
                continue
            }
            let ends = stored.grant.expiresAt.map { " Ends \(PlainDate.day($0, in: zone))." } ?? ""
            entries.append(.init(
                name: held.patientName, link: Paths.patientHome(stored.patient.description),
                description: "Your access as their \(stored.grant.relationship.plainText): "
                    + ProxyWords.scopes(stored.grant.scopes).map { $0.lowercased() }.joined(separator: "; ") + "." + ends,
                giveUpAction: Paths.giveUpProxy(stored.id.description)))
        }
        return env.renderer.response(RecordsPage(layout: context.layout("Records you can open", request: request), records: entries,
                                                 isEmpty: entries.isEmpty))
    }

    @Sendable func giveUp(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        guard let id = GrantID(try context.parameters.require("grant")) else { throw HTTPError(.notFound) }
        guard try await ProxyGrantService(env: env).giveUp(id, by: context.account, info: context.info) else { throw HTTPError(.notFound) }
        throw Redirect.to(Paths.records + "?notice=proxy-given-up")
    }
}
