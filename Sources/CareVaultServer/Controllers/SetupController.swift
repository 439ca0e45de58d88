import Foundation
import CareVaultCore
import CareVaultStore
import Hummingbird

/// The one-time set-up link printed at first start: it creates the first administrator.
struct SetupController: Sendable {
    let env: AppEnvironment

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get(RouterPath(Paths.setup), use: show)
        router.post(RouterPath(Paths.setup), use: create)
    }

    /// Issues a fresh set-up link if there is no administrator yet (voiding earlier links); nil otherwise.
    static func issueLinkIfNeeded(env: AppEnvironment) async throws -> String? {
        let token = SecretToken.generate()
        let now = Date()
        let issued = try await env.database.write { sql -> Bool in
            guard try await !AccountRepository(sql).hasAdmin() else { return false }
            let tokens = AccountTokenRepository(sql)
            try await tokens.invalidateAllUnowned(purpose: .adminSetup, at: now)
            try await tokens.insert(hash: token.storageHash, account: nil, purpose: .adminSetup, at: now,
                                    expiresAt: now.addingTimeInterval(24 * 60 * 60))
            return true
        }
        return issued ? env.link("\(Paths.setup)?token=\(token.value)") : nil
    }

    func form(csrf: String, token: String, form: FormData? = nil, failure: ValidationFailure? = nil) -> FormPage {
        FormPage(
            layout: .anonymous("Set up CareVault", csrf: csrf), heading: "Create the administrator account",
            intro: ["This link works once. The administrator manages staff accounts and settings; they do not see patient records."],
            failure: failure, action: Paths.setup,
            fields: [
                FormField(name: "name", label: "Your name", value: form?.value("name") ?? "", autocomplete: "name", error: failure?.error("name")),
                FormField(name: "email", label: "Email address", type: "email", value: form?.value("email") ?? "", autocomplete: "username", error: failure?.error("email"), inputmode: "email"),
                FormField(name: "password", label: "Password", type: "password", autocomplete: "new-password", hint: RegistrationController.passwordHint, error: failure?.error("password")),
            ],
            hidden: [HiddenField(name: "token", value: token)], submitLabel: "Create administrator")
    }

    private func isUsable(_ token: String) async throws -> Bool {
        try await env.database.read {
            try await AccountTokenRepository($0).isValid(hash: SecretToken.hash(token), purpose: .adminSetup, at: Date())
        }
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let token = request.uri.queryParameters["token"].map(String.init) ?? ""
        guard try await isUsable(token) else { throw HTTPError(.notFound) }
        return env.renderer.response(form(csrf: context.csrfToken, token: token))
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        var request = request
        let data = try await request.form()
        let token = data.value("token")
        guard try await isUsable(token) else { throw HTTPError(.notFound) }
        do {
            _ = try await AccountService(env: env).createStaff(email: data.value("email"), name: data.value("name"), role: .admin,
                                                               password: data.value("password"), by: nil, info: context.info,
                                                               consumingSetupToken: token)
        } catch let failure as ValidationFailure {
            return env.renderer.response(form(csrf: context.csrfToken, token: token, form: data, failure: failure), status: .badRequest)
        } catch is SetupLinkUsed {
            throw HTTPError(.notFound)
        }
        return .redirect(to: Paths.signIn + "?notice=admin-created", type: .normal)
    }
}
