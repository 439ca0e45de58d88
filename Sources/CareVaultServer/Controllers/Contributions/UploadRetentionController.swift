import CareVaultCore
import CareVaultStore
import Foundation
import Hummingbird

/// Administrators set how long a deleted upload keeps its stored bytes before they are erased.
struct UploadRetentionController: Sendable {
    static let maximumDays = 3650
    let env: AppEnvironment

    func addRoutes(to router: Router<AppRequestContext>) {
        let group = router.group(context: StaffRequestContext.self)
        group.get(RouterPath(Paths.uploadRetention), use: form)
        group.post(RouterPath(Paths.uploadRetention), use: save)
    }

    @Sendable func form(_ request: Request, context: StaffRequestContext) async throws -> Response {
        try requireAdmin(context)
        let days = try await UploadRetention(env: env).days()
        return env.renderer.response(page(context, request: request, value: String(days), failure: nil))
    }

    @Sendable func save(_ request: Request, context: StaffRequestContext) async throws -> Response {
        var request = request
        try requireAdmin(context)
        let text = try await request.form().value("days").trimmingCharacters(in: .whitespaces)
        guard let days = Int(text), (0...Self.maximumDays).contains(days) else {
            return env.renderer.response(page(context, request: request, value: text, failure: ValidationFailure([
                FieldError(field: "days", message: "Enter a number of days from 0 to \(Self.maximumDays)."),
            ])), status: .badRequest)
        }
        try await UploadRetention(env: env).setDays(days, by: context.account, info: context.info)
        throw Redirect.to(Paths.uploadRetention + "?notice=retention-saved")
    }

    private func requireAdmin(_ context: StaffRequestContext) throws {
        guard AuthorizationPolicy.decide(context.actor, .configureRelease, patient: nil).isPermitted else { throw HTTPError(.notFound) }
    }

    private func page(_ context: StaffRequestContext, request: Request, value: String, failure: ValidationFailure?) -> FormPage {
        FormPage(layout: context.layout("Deleted files", request: request), heading: "How long deleted files are kept",
                 intro: ["When a patient deletes a file it disappears from their record at once. Its encrypted copy is kept this many days (for example in case of a dispute), then erased. 0 erases it within the hour."],
                 failure: failure, action: Paths.uploadRetention,
                 fields: [FormField(name: "days", label: "Days to keep deleted files", type: "text", value: value, error: failure?.error("days"), inputmode: "numeric")],
                 submitLabel: "Save")
    }
}
