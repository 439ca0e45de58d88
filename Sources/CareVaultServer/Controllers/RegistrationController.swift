import CareVaultCore
import Hummingbird

/// Patient self-registration: the choice, the two identity paths, and email confirmation.
struct RegistrationController: Sendable {
    let env: AppEnvironment

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get(RouterPath(Paths.register)) { _, context in
            env.renderer.response(RegisterChoicePage(layout: .anonymous("Create an account", csrf: context.csrfToken)))
        }
        router.get(RouterPath(Paths.registerWithCode)) { _, context in env.renderer.response(codeForm(csrf: context.csrfToken)) }
        router.post(RouterPath(Paths.registerWithCode), use: registerWithCode)
        router.get(RouterPath(Paths.registerByIdentity)) { _, context in env.renderer.response(identityForm(csrf: context.csrfToken)) }
        router.post(RouterPath(Paths.registerByIdentity), use: registerByIdentity)
        router.get(RouterPath(Paths.registerConfirm), use: confirm)
    }

    func codeForm(csrf: String, form: FormData? = nil, failure: ValidationFailure? = nil) -> FormPage {
        FormPage(
            layout: .anonymous("Create an account with your activation code", csrf: csrf),
            heading: "Create an account with your activation code",
            intro: ["Use the code your clinic gave you. We check it against your date of birth."],
            failure: failure, action: Paths.registerWithCode,
            fields: [
                FormField(name: "code", label: "Activation code", value: form?.value("code") ?? "", hint: "For example 7K2M-9QXD-4HTR", error: failure?.error("code")),
                FormField(name: "birthDate", label: "Date of birth", value: form?.value("birthDate") ?? "", autocomplete: "bday", hint: FormHints.birthDate, error: failure?.error("birthDate")),
                FormField(name: "email", label: "Email address", type: "email", value: form?.value("email") ?? "", autocomplete: "email", hint: "You will sign in with this address.", error: failure?.error("email"), inputmode: "email"),
                FormField(name: "password", label: "Choose a password", type: "password", autocomplete: "new-password", hint: FormHints.password, error: failure?.error("password")),
            ],
            submitLabel: "Create my account",
            links: [Link(href: Paths.registerByIdentity, text: "I do not have a code")]
        )
    }

    func identityForm(csrf: String, form: FormData? = nil, failure: ValidationFailure? = nil) -> FormPage {
        FormPage(
            layout: .anonymous("Create an account with your details", csrf: csrf),
            heading: "Create an account with your details",
            intro: ["Enter your details exactly as your clinic has them. Your patient ID is on letters and appointment cards from the clinic."],
            failure: failure, action: Paths.registerByIdentity,
            fields: [
                FormField(name: "givenName", label: "First name", value: form?.value("givenName") ?? "", autocomplete: "given-name", error: failure?.error("givenName")),
                FormField(name: "familyName", label: "Last name", value: form?.value("familyName") ?? "", autocomplete: "family-name", error: failure?.error("familyName")),
                FormField(name: "birthDate", label: "Date of birth", value: form?.value("birthDate") ?? "", autocomplete: "bday", hint: FormHints.birthDate, error: failure?.error("birthDate")),
                FormField(name: "mrn", label: "Patient ID", value: form?.value("mrn") ?? "", error: failure?.error("mrn")),
                FormField(name: "email", label: "Email address", type: "email", value: form?.value("email") ?? "", autocomplete: "email", hint: "We send a link to this address to finish.", error: failure?.error("email"), inputmode: "email"),
                FormField(name: "password", label: "Choose a password", type: "password", autocomplete: "new-password", hint: FormHints.password, error: failure?.error("password")),
            ],
            submitLabel: "Continue",
            links: [Link(href: Paths.registerWithCode, text: "I have an activation code")]
        )
    }

    @Sendable func registerWithCode(_ request: Request, context: AppRequestContext) async throws -> Response {
        var request = request
        let form = try await request.form()
        do {
            _ = try await RegistrationService(env: env).register(
                activationCode: form.value("code"), birthDate: form.value("birthDate"), email: form.value("email"),
                password: form.value("password"), info: context.info)
            return .redirect(to: Paths.signIn + "?notice=registered", type: .normal)
        } catch let failure as ValidationFailure {
            return env.renderer.response(codeForm(csrf: context.csrfToken, form: form, failure: failure), status: .badRequest)
        }
    }

    @Sendable func registerByIdentity(_ request: Request, context: AppRequestContext) async throws -> Response {
        var request = request
        let form = try await request.form()
        do {
            try await RegistrationService(env: env).register(
                givenName: form.value("givenName"), familyName: form.value("familyName"), birthDate: form.value("birthDate"),
                mrn: form.value("mrn"), email: form.value("email"), password: form.value("password"), info: context.info)
        } catch let failure as ValidationFailure {
            return env.renderer.response(identityForm(csrf: context.csrfToken, form: form, failure: failure), status: .badRequest)
        }
        return env.renderer.response(MessagePage(
            layout: .anonymous("Check your email", csrf: context.csrfToken), heading: "Check your email",
            paragraphs: [RegistrationService.identityMatchAnswer,
                         "Nothing arrived? Check your spam folder, or ask your clinic for an activation code."]))
    }

    @Sendable func confirm(_ request: Request, context: AppRequestContext) async throws -> Response {
        let token = request.uri.queryParameters["token"].map(String.init) ?? ""
        if try await RegistrationService(env: env).confirmEmail(token: token, info: context.info) {
            return .redirect(to: Paths.signIn + "?notice=email-confirmed", type: .normal)
        }
        return env.renderer.response(MessagePage(
            layout: .anonymous("Link not valid", csrf: context.csrfToken), heading: "This link does not work any more",
            paragraphs: ["Confirmation links work once, for 24 hours. Register again to get a new one, or ask your clinic for an activation code."],
            link: Link(href: Paths.register, text: "Register again")), status: .badRequest)
    }
}
