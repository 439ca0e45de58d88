import CareVaultCore
import Hummingbird

/// Forgotten password (request a link, set a new one) and changing the password while signed in.
struct PasswordController: Sendable {
    let env: AppEnvironment
    let cookies: SessionCookie

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get(RouterPath(Paths.forgotPassword)) { _, context in env.renderer.response(forgotForm(csrf: context.csrfToken)) }
        router.post(RouterPath(Paths.forgotPassword), use: requestReset)
        router.get(RouterPath(Paths.resetPassword), use: showReset)
        router.post(RouterPath(Paths.resetPassword), use: reset)
        let signedIn = router.group(context: SignedInRequestContext.self)
        signedIn.get(RouterPath(Paths.changePassword)) { _, context in env.renderer.response(changeForm(context: context)) }
        signedIn.post(RouterPath(Paths.changePassword), use: change)
    }

    func forgotForm(csrf: String, email: String = "", failure: ValidationFailure? = nil) -> FormPage {
        FormPage(
            layout: .anonymous("Forgotten password", csrf: csrf), heading: "Set a new password",
            intro: ["Enter the email address you sign in with. We will send it a link to choose a new password."],
            failure: failure, action: Paths.forgotPassword,
            fields: [FormField(name: "email", label: "Email address", type: "email", value: email, autocomplete: "email",
                               error: failure?.error("email"), inputmode: "email")],
            submitLabel: "Send me a link", links: [Link(href: Paths.signIn, text: "Back to sign in")])
    }

    @Sendable func requestReset(_ request: Request, context: AppRequestContext) async throws -> Response {
        var request = request
        let form = try await request.form()
        do {
            try await PasswordService(env: env).requestReset(email: form.value("email"), info: context.info)
        } catch let failure as ValidationFailure {
            return env.renderer.response(forgotForm(csrf: context.csrfToken, email: form.value("email"), failure: failure), status: .badRequest)
        }
        return env.renderer.response(MessagePage(
            layout: .anonymous("Check your email", csrf: context.csrfToken), heading: "Check your email",
            paragraphs: [PasswordService.requestAnswer]))
    }

    func resetForm(csrf: String, token: String, failure: ValidationFailure? = nil) -> FormPage {
        FormPage(
            layout: .anonymous("Choose a new password", csrf: csrf), heading: "Choose a new password",
            intro: ["After this, every device signed in to your account is signed out."],
            failure: failure, action: Paths.resetPassword,
            fields: [FormField(name: "password", label: "New password", type: "password", autocomplete: "new-password",
                               hint: FormHints.password, error: failure?.error("password"))],
            hidden: [HiddenField(name: "token", value: token)],
            submitLabel: "Save my new password")
    }

    func expiredLink(csrf: String) -> Response {
        env.renderer.response(MessagePage(
            layout: .anonymous("Link not valid", csrf: csrf), heading: "This link does not work any more",
            paragraphs: ["Password links work once, for 30 minutes. Ask for a new one."],
            link: Link(href: Paths.forgotPassword, text: "Ask for a new link")), status: .badRequest)
    }

    @Sendable func showReset(_ request: Request, context: AppRequestContext) async throws -> Response {
        let token = request.uri.queryParameters["token"].map(String.init) ?? ""
        guard try await PasswordService(env: env).isUsable(token: token) else { return expiredLink(csrf: context.csrfToken) }
        return env.renderer.response(resetForm(csrf: context.csrfToken, token: token))
    }

    @Sendable func reset(_ request: Request, context: AppRequestContext) async throws -> Response {
        var request = request
        let form = try await request.form()
        let token = form.value("token")
        guard try await PasswordService(env: env).isUsable(token: token) else { return expiredLink(csrf: context.csrfToken) }
        do {
            try await PasswordService(env: env).reset(token: token, newPassword: form.value("password"), info: context.info)
        } catch let failure as ValidationFailure {
            return env.renderer.response(resetForm(csrf: context.csrfToken, token: token, failure: failure), status: .badRequest)
        }
        var response = Response.redirect(to: Paths.signIn + "?notice=password-reset", type: .normal)
        response.setCookie(cookies.clearedSession())
        return response
    }

    func changeForm(context: SignedInRequestContext, failure: ValidationFailure? = nil) -> FormPage {
        FormPage(
            layout: context.layout("Change your password"), heading: "Change your password",
            intro: ["Your other devices will be signed out."], failure: failure, action: Paths.changePassword,
            fields: [
                FormField(name: "currentPassword", label: "Current password", type: "password", autocomplete: "current-password", error: failure?.error("currentPassword")),
                FormField(name: "newPassword", label: "New password", type: "password", autocomplete: "new-password", hint: FormHints.password, error: failure?.error("newPassword")),
            ],
            submitLabel: "Change password", links: [Link(href: Paths.security, text: "Back to account security")])
    }

    @Sendable func change(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        var request = request
        let form = try await request.form()
        do {
            try await PasswordService(env: env).change(for: context.session, current: form.value("currentPassword"),
                                                       new: form.value("newPassword"), info: context.info)
        } catch let failure as ValidationFailure {
            return env.renderer.response(changeForm(context: context, failure: failure), status: .badRequest)
        }
        return .redirect(to: Paths.security + "?notice=password-changed", type: .normal)
    }
}
