import CareVaultCore
import Hummingbird

/// Writes the one audit event of each request that opened a patient's record, after its handler
/// has run and before the response goes: the outcome is the handler's (a 404 for an item the reader
/// may not see is a failure, listing what was shown until then).
struct RecordAuditMiddleware: RouterMiddleware {
    let audit: AuditRecorder

    func handle(_ request: Request, context: AppRequestContext, next: (Request, AppRequestContext) async throws -> Response) async throws -> Response {
        let response: Response
        let isWrite = request.method != .get && request.method != .head
        do {
            response = try await next(request, context)
        } catch {
            if let event = context.recordAudit.takeEvent(outcome: .failure, isWriteRequest: isWrite) { try await audit.record(event) }
            throw error
        }
        if let event = context.recordAudit.takeEvent(outcome: response.status.code < 400 ? .success : .failure, isWriteRequest: isWrite) {
            try await audit.record(event)
        }
        return response
    }
}
