import CareVaultStore
import Foundation
import Hummingbird

/// `GET /health`: 200 with the database kind when the database answers, 503 otherwise.
struct HealthController: Sendable {
    let env: AppEnvironment

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get(RouterPath(Paths.health)) { _, _ -> Response in
            let healthy = (try? await env.database.read { try await $0.raw("SELECT 1 AS ok").first() }) != nil
            let body = #"{"status":"\#(healthy ? "ok" : "unavailable")","database":"\#(env.database.kind.rawValue)"}"#
            return Response(status: healthy ? .ok : .serviceUnavailable, headers: [.contentType: "application/json"],
                            body: .init(byteBuffer: ByteBuffer(string: body)))
        }
    }
}
