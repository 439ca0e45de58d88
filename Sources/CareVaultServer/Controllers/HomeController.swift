import CareVaultCore
import Hummingbird

/// `/`: the landing page, or the right home for whoever is signed in.
struct HomeController: Sendable {
    let env: AppEnvironment

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get(RouterPath(Paths.home), use: home)
    }

    @Sendable func home(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let session = context.session else {
            return env.renderer.response(LandingPage(layout: .anonymous("Welcome", csrf: context.csrfToken, request: request)))
        }
        guard session.record.stage == .signedIn else { return .redirect(to: Paths.signInCode, type: .normal) }
        switch AuthorizationPolicy.startPage(for: Actor(account: session.account)) {
        case .ownRecord(let patient): return .redirect(to: Paths.patientHome(patient.description), type: .normal)
        case .proxiedRecords: return .redirect(to: Paths.records, type: .normal)
        case .organizationPatients: return .redirect(to: Paths.staffPatients, type: .normal)
        case .accountSecurity: return .redirect(to: Paths.security, type: .normal)
        case .enrolSecondFactor: return .redirect(to: Paths.twoFactor + "?notice=enrol-required", type: .normal)
        case .nothing: throw HTTPError(.notFound)
        }
    }
}
