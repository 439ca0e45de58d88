import Foundation
import Hummingbird

/// Serves the stylesheet from the bundle (loaded once).
struct StaticAssetsController: Sendable {
    static let stylesheet: ByteBuffer = {
        guard let url = Bundle.module.url(forResource: "Public/app", withExtension: "css"),
              let data = try? Data(contentsOf: url)
        else { return ByteBuffer() }
        return ByteBuffer(bytes: data)
    }()

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get(RouterPath(Paths.stylesheet)) { _, _ in
            Response(status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "public, max-age=3600"],
                     body: .init(byteBuffer: Self.stylesheet))
        }
    }
}
