import CareVaultStore
import Foundation
import Hummingbird

/// `GET /health`: 200 with the database kind when the database answers, 503 otherwise.
struct HealthController: Sendable {
    let env: AppEnvironment

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get(RouterPath(Paths.health)) { _, _ -> Response in
            let (healthy, database) = await HealthCheck(env: env).run()
            let body = #"{"status":"\#(healthy ? "ok" : "unavailable")","database":"\#(database.rawValue)"}"#
            return Response(status: healthy ? .ok : .serviceUnavailable, headers: [.contentType: "application/json"],
                            body: .init(byteBuffer: ByteBuffer(string: body)))
        }
    }
}
