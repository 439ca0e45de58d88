import Foundation
import CareVaultCore
import CareVaultStore
import Hummingbird

/// Sign in (password, then second factor) and sign out.
struct SignInController: Sendable {
    let env: AppEnvironment
    let cookies: SessionCookie

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get(RouterPath(Paths.signIn), use: showSignIn)
        router.post(RouterPath(Paths.signIn), use: signIn)
        router.post(RouterPath(Paths.signOut), use: signOut)
        let pending = router.group(context: PendingSecondFactorRequestContext.self)
        pending.get(RouterPath(Paths.signInCode), use: showCode)
        pending.post(RouterPath(Paths.signInCode), use: submitCode)
    }

    /// Where to go after signing in, when a page sent the person here to come back (only an invitation's
    /// page: never an address from elsewhere).
    static func next(_ raw: String?) -> String? {
        guard let raw, raw.hasPrefix("/proxy-invitations/"), raw.count <= 120,
              raw.dropFirst("/proxy-invitations/".count).allSatisfy({ $0.isLetter && $0.isASCII || $0.isNumber && $0.isASCII || $0 == "-" || $0 == "_" })
        else { return nil }
        return raw
    }

    func signInPage(csrf: String, email: String = "", failure: ValidationFailure? = nil, request: Request? = nil, next: String? = nil) -> FormPage {
        FormPage(
            layout: .anonymous("Sign in", csrf: csrf, request: request), heading: "Sign in", failure: failure,
            action: Paths.signIn,
            fields: [
                FormField(name: "email", label: "Email address", type: "email", value: email, autocomplete: "username",
                          error: failure?.error("email"), inputmode: "email"),
                FormField(name: "password", label: "Password", type: "password", autocomplete: "current-password",
                          error: failure?.error("password")),
            ],
            hidden: next.map { [HiddenField(name: "next", value: $0)] } ?? [],
            submitLabel: "Sign in",
            links: [Link(href: Paths.forgotPassword, text: "Forgotten your password?"),
                    Link(href: Paths.register, text: "Create an account")]
        )
    }

    @Sendable func showSignIn(_ request: Request, context: AppRequestContext) async throws -> Response {
        if context.session?.record.stage == .signedIn { return .redirect(to: Paths.home, type: .normal) }
        let next = Self.next(request.uri.queryParameters["next"].map(String.init))
        return env.renderer.response(signInPage(csrf: context.csrfToken, request: request, next: next))
    }

    @Sendable func signIn(_ request: Request, context: AppRequestContext) async throws -> Response {
        var request = request
        let form = try await request.form()
        let email = form.value("email")
        let next = Self.next(form.value("next"))
        let outcome = try await SignInService(env: env).signIn(email: email, password: form.value("password"), info: context.info)
        switch outcome {
        case .signedIn(let token, _):
            return try await started(token, replacing: context.session, to: next ?? Paths.home)
        case .secondFactorRequired(let token):
            return try await started(token, replacing: context.session,
                                     to: Paths.signInCode + (next.map { "?next=" + Paths.queryValue($0) } ?? ""))
        case .failed(let message), .locked(let message):
            let failure = ValidationFailure([FieldError(field: "email", message: message)])
            return env.renderer.response(signInPage(csrf: context.csrfToken, email: email, failure: failure, next: next), status: .unauthorized)
        case .emailNotConfirmed:
            let failure = ValidationFailure([FieldError(field: "email", message: "Confirm your email address first: follow the link we sent you when you registered.")])
            return env.renderer.response(signInPage(csrf: context.csrfToken, email: email, failure: failure, next: next), status: .unauthorized)
        }
    }

    /// Sets the new session's cookie, ending any session the browser had before (id rotation).
    private func started(_ token: SecretToken, replacing old: ActiveSession?, to path: String) async throws -> Response {
        if let old {
            try await env.sessions.replace(old)
        }
        var response = Response.redirect(to: path, type: .normal)
        response.setCookie(cookies.session(token))
        return response
    }

    func codePage(csrf: String, failure: ValidationFailure? = nil, next: String? = nil) -> FormPage {
        FormPage(
            layout: .anonymous("Enter your code", csrf: csrf), heading: "Enter your sign-in code",
            intro: ["Open your authenticator app and enter the 6-digit code it shows for CareVault.",
                    "Lost your phone? Enter one of your recovery codes instead."],
            failure: failure, action: Paths.signInCode,
            fields: [FormField(name: "code", label: "Code", value: "", autocomplete: "one-time-code",
                               hint: "For example 123456, or a recovery code like ABCDE-12345",
                               error: failure?.error("code"), inputmode: "text")],
            hidden: next.map { [HiddenField(name: "next", value: $0)] } ?? [],
            submitLabel: "Continue",
            links: [Link(href: Paths.signIn, text: "Start again")]
        )
    }

    @Sendable func showCode(_ request: Request, context: PendingSecondFactorRequestContext) async throws -> Response {
        env.renderer.response(codePage(csrf: context.csrfToken, next: Self.next(request.uri.queryParameters["next"].map(String.init))))
    }

    @Sendable func submitCode(_ request: Request, context: PendingSecondFactorRequestContext) async throws -> Response {
        var request = request
        let form = try await request.form()
        let next = Self.next(form.value("next"))
        let outcome = try await SignInService(env: env).completeSecondFactor(session: context.session, code: form.value("code"), info: context.info)
        switch outcome {
        case .signedIn(let token, _):
            var response = Response.redirect(to: next ?? Paths.home, type: .normal)
            response.setCookie(cookies.session(token))
            return response
        case .failed(let message), .locked(let message):
            let failure = ValidationFailure([FieldError(field: "code", message: message)])
            return env.renderer.response(codePage(csrf: context.csrfToken, failure: failure, next: next), status: .unauthorized)
        case .secondFactorRequired, .emailNotConfirmed:
            return .redirect(to: Paths.signIn, type: .normal)
        }
    }

    @Sendable func signOut(_ request: Request, context: AppRequestContext) async throws -> Response {
        if let session = context.session {
            try await env.sessions.signOut(session, info: context.info)
        }
        var response = Response.redirect(to: Paths.signIn + "?notice=signed-out", type: .normal)
        response.setCookie(cookies.clearedSession())
        return response
    }
}
