import Foundation
import CareVaultCore
import CareVaultStore
import Hummingbird

/// Account security: overview, two-step sign-in, recovery codes, devices and activity.
struct AccountSecurityController: Sendable {
    let env: AppEnvironment

    func addRoutes(to router: Router<AppRequestContext>) {
        let group = router.group(context: SignedInRequestContext.self)
        group.get(RouterPath(Paths.security), use: overview)
        group.get(RouterPath(Paths.twoFactor), use: showTwoFactor)
        group.post(RouterPath(Paths.twoFactor), use: confirmTwoFactor)
        group.post(RouterPath(Paths.twoFactorDisable), use: disableTwoFactor)
        group.get(RouterPath(Paths.recoveryCodes)) { _, _ in Response.redirect(to: Paths.twoFactor, type: .normal) }
        group.post(RouterPath(Paths.recoveryCodes), use: regenerateRecoveryCodes)
        group.get(RouterPath(Paths.devices), use: devices)
        group.post("/account/devices/revoke-others", use: revokeOthers)
        group.post("/account/devices/:handle/revoke", use: revokeDevice)
        group.get(RouterPath(Paths.activity), use: activity)
    }

    @Sendable func overview(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        let account = context.account
        let (codes, sessions) = try await AccountSecurityService(env: env).overview(of: account)
        return env.renderer.response(SecurityPage(
            layout: context.layout("Account security", request: request), email: account.email,
            twoFactorEnabled: account.hasSecondFactor, recoveryCodesLeft: codes, activeSessions: sessions))
    }

    @Sendable func showTwoFactor(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        if context.account.hasSecondFactor { return manageTwoFactor(context: context, request: request) }
        return try await enrolPage(context: context, request: request)
    }

    private func enrolPage(context: SignedInRequestContext, request: Request?, failure: ValidationFailure? = nil) async throws -> Response {
        // Re-read the account: enrolment may have just stored a pending secret.
        let account = try await AccountSecurityService(env: env).current(context.account)
        let enrolment = try await TwoFactorService(env: env).begin(for: account)
        let qr = try QRCode.encode(enrolment.provisioningURI)
        let page = TwoFactorEnrolPage(
            layout: context.layout("Turn on two-step sign-in", request: request),
            intro: request.flatMap(Notice.from).map { _ in Notice.enrolRequired.text },
            errorSummary: ErrorSummary(failure), qrSVG: QRCodeSVG.render(qr, title: "QR code to add CareVault to your authenticator app"),
            manualKey: enrolment.manualKey,
            code: FormField(name: "code", label: "6-digit code", autocomplete: "one-time-code", error: failure?.error("code"), inputmode: "numeric"))
        return env.renderer.response(page, status: failure == nil ? .ok : .badRequest)
    }

    private func manageTwoFactor(context: SignedInRequestContext, request: Request?, failure: ValidationFailure? = nil, field: String? = nil) -> Response {
        let account = context.account
        let page = TwoFactorManagePage(
            layout: context.layout("Two-step sign-in", request: request), errorSummary: ErrorSummary(failure),
            enabledSince: account.totpEnabledAt.map { PlainDate.day($0, in: env.configuration.timeZone) } ?? "",
            canDisable: !account.role.requiresSecondFactor,
            disablePassword: FormField(name: "disablePassword", label: "Your password", type: "password", autocomplete: "current-password",
                                       error: field == "disablePassword" ? failure?.errors.first?.message : nil),
            recoveryPassword: FormField(name: "recoveryPassword", label: "Your password", type: "password", autocomplete: "current-password",
                                        error: field == "recoveryPassword" ? failure?.errors.first?.message : nil))
        return env.renderer.response(page, status: failure == nil ? .ok : .badRequest)
    }

    @Sendable func confirmTwoFactor(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        var request = request
        let form = try await request.form()
        guard !context.account.hasSecondFactor else { return .redirect(to: Paths.twoFactor, type: .normal) }
        let account = try await AccountSecurityService(env: env).current(context.account)
        do {
            let codes = try await TwoFactorService(env: env).confirm(for: account, code: form.value("code"), info: context.info)
            return recoveryCodesPage(codes, context: context, notice: Notice.twoFactorOn.text)
        } catch let failure as ValidationFailure {
            return try await enrolPage(context: context, request: nil, failure: failure)
        }
    }

    private func recoveryCodesPage(_ codes: [HumanCode], context: SignedInRequestContext, notice: String) -> Response {
        let layout = Layout.signedIn("Your recovery codes", account: context.account, csrf: context.csrfToken)
        return env.renderer.response(RecoveryCodesPage(
            layout: Layout(title: layout.title, csrfToken: layout.csrfToken, nav: layout.nav, notice: notice),
            codes: codes.map(\.display), continueLink: Link(href: Paths.home, text: "I have saved my codes")))
    }

    @Sendable func disableTwoFactor(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        var request = request
        let form = try await request.form()
        do {
            try await TwoFactorService(env: env).disable(for: context.account, password: form.value("disablePassword"), info: context.info)
        } catch let failure as ValidationFailure {
            return manageTwoFactor(context: context, request: nil, failure: failure, field: "disablePassword")
        }
        return .redirect(to: Paths.security + "?notice=two-factor-off", type: .normal)
    }

    @Sendable func regenerateRecoveryCodes(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        var request = request
        let form = try await request.form()
        do {
            let codes = try await TwoFactorService(env: env).regenerateRecoveryCodes(
                for: context.account, password: form.value("recoveryPassword"), info: context.info)
            return recoveryCodesPage(codes, context: context, notice: "New recovery codes were made. The old ones no longer work.")
        } catch let failure as ValidationFailure {
            return manageTwoFactor(context: context, request: nil, failure: failure, field: "recoveryPassword")
        }
    }

    @Sendable func devices(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        let sessions = try await env.sessions.active(for: context.account.id)
        let rows = sessions.map { s in
            DevicesPage.Device(
                description: DeviceName.describe(userAgent: s.userAgent), address: s.clientIP ?? "unknown",
                signedInAt: PlainDate.instant(s.createdAt, in: env.configuration.timeZone), lastSeenAt: PlainDate.instant(s.lastSeenAt, in: env.configuration.timeZone),
                isCurrent: s.idHash == context.session.idHash, revokeAction: Paths.revokeDevice(s.handle))
        }
        return env.renderer.response(DevicesPage(
            layout: context.layout("Your devices", request: request), devices: rows, hasOthers: rows.count > 1))
    }

    @Sendable func revokeDevice(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        let handle = try context.parameters.require("handle")
        guard try await env.sessions.revoke(handle: handle, of: context.account, info: context.info) else { throw HTTPError(.notFound) }
        return .redirect(to: Paths.devices + "?notice=device-signed-out", type: .normal)
    }

    @Sendable func revokeOthers(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        try await env.sessions.revokeOthers(of: context.account, keeping: context.session, info: context.info)
        return .redirect(to: Paths.devices + "?notice=others-signed-out", type: .normal)
    }

    @Sendable func activity(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        let entries = try await AccountSecurityService(env: env).activity(of: context.account)
        let events = entries.map { e in
            ActivityPage.Event(time: PlainDate.instant(e.event.occurredAt, in: env.configuration.timeZone), description: e.event.action.plainDescription,
                               address: e.event.clientIP ?? "–",
                               outcome: e.event.outcome == .success ? "Succeeded" : (e.event.outcome == .denied ? "Blocked" : "Failed"))
        }
        return env.renderer.response(ActivityPage(layout: context.layout("Account activity", request: request),
                                                  events: events, isEmpty: events.isEmpty))
    }
}
