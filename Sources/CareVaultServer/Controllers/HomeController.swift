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
        let account = session.account
        switch account.role {
        case .patient:
            guard let patient = account.patient else { throw HTTPError(.notFound) }
            return .redirect(to: Paths.patientHome(patient.description), type: .normal)
        case .clinician, .staff:
            return .redirect(to: account.hasSecondFactor ? Paths.staffPatients : Paths.twoFactor + "?notice=enrol-required", type: .normal)
        case .admin:
            return .redirect(to: account.hasSecondFactor ? Paths.security : Paths.twoFactor + "?notice=enrol-required", type: .normal)
        }
    }
}
