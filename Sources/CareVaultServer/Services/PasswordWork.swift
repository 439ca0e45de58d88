import Synchronization
import CareVaultCore
import NIOPosix

/// bcrypt takes a quarter of a second by design; run it on the blocking-work thread pool so it
/// never stalls the threads that serve other requests.
extension AppEnvironment {
    func hashPassword(_ password: String) async throws -> String {
        let hasher = passwordHasher
        return try await NIOThreadPool.singleton.runIfActive { hasher.hash(password) }
    }

    func verifyPassword(_ password: String, against hash: String) async throws -> Bool {
        let hasher = passwordHasher
        return try await NIOThreadPool.singleton.runIfActive { hasher.verify(password, against: hash) }
    }

    /// Spends the same time as a real check, for accounts that do not exist.
    func verifyDecoyPassword(_ password: String) async throws {
        _ = try await verifyPassword(password, against: Self.decoyHash(cost: passwordHasher.cost))
    }

    private static func decoyHash(cost: UInt8) -> String {
        DecoyHashes.shared.hash(cost: cost)
    }
}

/// One decoy hash per cost, made once.
final class DecoyHashes: Sendable {
    static let shared = DecoyHashes()
    private let lock = Synchronization.Mutex<[UInt8: String]>([:])

    func hash(cost: UInt8) -> String {
        if let existing = lock.withLock({ $0[cost] }) { return existing }
        let made = PasswordHasher(cost: cost).decoyHash()
        lock.withLock { $0[cost] = made }
        return made
    }
}
