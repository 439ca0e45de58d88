import CareVaultCore
import CareVaultStore
import Foundation
import Hummingbird

/// The invited person's pages: the invitation (what it allows and the terms), signing up as a proxy,
/// and accepting with the code or the patient's birth date.
struct ProxyInvitationController: Sendable {
    let env: AppEnvironment

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/proxy-invitations/:token", use: show)
        router.get("/proxy-invitations/:token/account", use: accountForm)
        router.post("/proxy-invitations/:token/account", use: createAccount)
        router.group(context: SignedInRequestContext.self).post("/proxy-invitations/:token", use: accept)
    }

    private var service: ProxyInvitationService { ProxyInvitationService(env: env) }

    /// "This invitation does not work any more" (unknown, used, withdrawn, expired, too many wrong tries):
    /// the same page for each, so a guessed link learns nothing.
    private func unusable(_ layout: Layout) -> Response {
        env.renderer.response(MessagePage(
            layout: layout, heading: "This invitation does not work any more",
            paragraphs: ["Invitations work once, for 7 days, and stop after too many wrong codes. It may also have been withdrawn.",
                         "Ask the person who invited you to send a new one."]), status: .notFound)
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let token = try context.parameters.require("token")
        let signedIn = context.session?.record.stage == .signedIn ? context.session : nil
        let layout = signedIn.map { Layout.signedIn("Invitation", account: $0.account, csrf: context.csrfToken, proxyGrants: $0.proxyGrants) }
            ?? .anonymous("Invitation", csrf: context.csrfToken, request: request)
        guard let open = try await service.find(token) else { return unusable(layout) }
        return env.renderer.response(page(open, token: token, layout: layout, account: signedIn?.account, failure: nil))
    }

    func page(_ open: ProxyInvitationService.Open, token: String, layout: Layout, account: Account?, failure: ValidationFailure?) -> ProxyInvitationPage {
        let grant = open.grant
        let proof: FormField = grant.confirmation == .code
            ? FormField(name: "code", label: "The code you were given", hint: "For example 7K2M-9QXD", error: failure?.error("code"))
            : FormField(name: "birthDate", label: "\(open.patient.givenName)'s date of birth", autocomplete: "off", hint: FormHints.birthDate,
                        error: failure?.error("birthDate"))
        let path = Paths.proxyInvitation(token)
        return ProxyInvitationPage(
            layout: layout, heading: "Proxy access to \(open.patient.fullName)'s health record",
            intro: "\(grant.proxyName), you are invited to act for \(open.patient.fullName) as their \(grant.grant.relationship.plainText)."
                + (grant.grant.expiresAt.map { " The access lasts until \(PlainDate.day($0, in: env.configuration.timeZone))." } ?? ""),
            scopes: ProxyWords.scopes(grant.grant.scopes), terms: service.terms(open, proxyName: account?.displayName ?? grant.proxyName),
            errorSummary: ErrorSummary(failure), acceptAction: account == nil ? nil : path, proof: account == nil ? nil : proof,
            agreeError: failure?.error("agree"),
            signInLink: account == nil ? Paths.signIn + "?next=" + Paths.queryValue(path) : nil,
            signUpLink: account == nil ? Paths.proxyInvitationAccount(token) : nil)
    }

    @Sendable func accept(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        var request = request
        let form = try await request.form()
        let token = try context.parameters.require("token")
        let layout = context.layout("Invitation")
        do {
            let patient = try await service.accept(token, account: context.account, code: form.value("code"), birthDate: form.value("birthDate"),
                                                   agreed: form.value("agree") == "yes", info: context.info)
            throw Redirect.to(Paths.patientHome(patient.id.description) + "?notice=proxy-accepted")
        } catch let failure as ValidationFailure {
            guard let open = try await service.find(token) else { return unusable(layout) }
            return env.renderer.response(page(open, token: token, layout: layout, account: context.account, failure: failure), status: .badRequest)
        } catch let refusal as ProxyInvitationService.Refusal {
            switch refusal {
            case .unusable: return unusable(layout)
            case .otherAccount(let sentTo):
                return env.renderer.response(MessagePage(
                    layout: layout, heading: "This invitation is for someone else",
                    paragraphs: ["It was sent to \(sentTo), and you are signed in as \(context.account.email).",
                                 "Sign out, then open the link again and sign in (or create an account) with the address it was sent to."]),
                    status: .forbidden)
            case .clinicAccount:
                return env.renderer.response(MessagePage(
                    layout: layout, heading: "Use a personal account",
                    paragraphs: ["Clinic accounts cannot act as someone's proxy. Sign out, then sign in or create an account of your own to accept."]),
                    status: .forbidden)
            case .ownRecord:
                return env.renderer.response(MessagePage(
                    layout: layout, heading: "This is your own record",
                    paragraphs: ["You cannot be your own proxy. The invitation was not accepted."]), status: .badRequest)
            }
        }
    }

    func accountPage(_ open: ProxyInvitationService.Open, token: String, csrf: String, name: String, failure: ValidationFailure?) -> FormPage {
        FormPage(
            layout: .anonymous("Create an account", csrf: csrf), heading: "Create an account to accept",
            intro: ["Your account is yours, separate from \(open.patient.fullName)'s. You sign in with \(open.grant.proxyEmail), the address the invitation was sent to."],
            failure: failure, action: Paths.proxyInvitationAccount(token),
            fields: [
                FormField(name: "name", label: "Your name", value: name, autocomplete: "name", error: failure?.error("name")),
                FormField(name: "password", label: "Choose a password", type: "password", autocomplete: "new-password", hint: FormHints.password,
                          error: failure?.error("password")),
            ],
            submitLabel: "Create my account",
            links: [Link(href: Paths.signIn + "?next=" + Paths.queryValue(Paths.proxyInvitation(token)), text: "I already have an account")])
    }

    @Sendable func accountForm(_ request: Request, context: AppRequestContext) async throws -> Response {
        let token = try context.parameters.require("token")
        guard let open = try await service.find(token) else { return unusable(.anonymous("Invitation", csrf: context.csrfToken)) }
        if context.session?.record.stage == .signedIn { throw Redirect.to(Paths.proxyInvitation(token)) }
        return env.renderer.response(accountPage(open, token: token, csrf: context.csrfToken, name: open.grant.proxyName, failure: nil))
    }

    @Sendable func createAccount(_ request: Request, context: AppRequestContext) async throws -> Response {
        var request = request
        let form = try await request.form()
        let token = try context.parameters.require("token")
        guard let open = try await service.find(token) else { return unusable(.anonymous("Invitation", csrf: context.csrfToken)) }
        do {
            _ = try await service.createAccount(open, name: form.value("name"), password: form.value("password"), info: context.info)
        } catch let failure as ValidationFailure {
            return env.renderer.response(accountPage(open, token: token, csrf: context.csrfToken, name: form.value("name"), failure: failure),
                                         status: .badRequest)
        }
        throw Redirect.to(Paths.signIn + "?notice=proxy-account-created&next=" + Paths.queryValue(Paths.proxyInvitation(token)))
    }
}
