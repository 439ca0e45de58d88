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

    func form(csrf: String, token: String, form: FormData? = nil, failure: ValidationFailure? = nil) -> FormPage {
        FormPage(
            layout: .anonymous("Set up CareVault", csrf: csrf), heading: "Create the administrator account",
            intro: ["This link works once. The administrator manages staff accounts and settings; they do not see patient records."],
            failure: failure, action: Paths.setup,
            fields: [
                FormField(name: "name", label: "Your name", value: form?.value("name") ?? "", autocomplete: "name", error: failure?.error("name")),
                FormField(name: "email", label: "Email address", type: "email", value: form?.value("email") ?? "", autocomplete: "username", error: failure?.error("email"), inputmode: "email"),
                FormField(name: "password", label: "Password", type: "password", autocomplete: "new-password", hint: FormHints.password, error: failure?.error("password")),
            ],
            hidden: [HiddenField(name: "token", value: token)], submitLabel: "Create administrator")
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let token = request.uri.queryParameters["token"].map(String.init) ?? ""
        guard try await SetupLinkService(env: env).isUsable(token) else { throw HTTPError(.notFound) }
        return env.renderer.response(form(csrf: context.csrfToken, token: token))
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        var request = request
        let data = try await request.form()
        let token = data.value("token")
        guard try await SetupLinkService(env: env).isUsable(token) else { throw HTTPError(.notFound) }
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
