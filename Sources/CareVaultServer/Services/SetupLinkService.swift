import CareVaultCore
import CareVaultStore
import Foundation

/// The one-time set-up link printed at first start, which creates the first administrator
/// (``AccountService/createStaff(email:name:role:password:by:info:consumingSetupToken:)`` uses it up).
struct SetupLinkService: Sendable {
    let env: AppEnvironment

    /// How long a printed set-up link works.
    static let lifetime: TimeInterval = 24 * 60 * 60

    /// Issues a fresh set-up link if there is no administrator yet (voiding earlier links); nil otherwise.
    func issueLinkIfNeeded() async throws -> String? {
        let token = SecretToken.generate()
        let now = Date()
        let issued = try await env.database.write { sql -> Bool in
            guard try await !AccountRepository(sql).hasAdmin() else { return false }
            let tokens = AccountTokenRepository(sql)
            try await tokens.invalidateAllUnowned(purpose: .adminSetup, at: now)
            try await tokens.insert(hash: token.storageHash, account: nil, purpose: .adminSetup, at: now,
                                    expiresAt: now.addingTimeInterval(Self.lifetime))
            return true
        }
        return issued ? env.link("\(Paths.setup)?token=\(token.value)") : nil
    }

    /// Whether `token` is a set-up link that still works.
    func isUsable(_ token: String) async throws -> Bool {
        try await env.database.read {
            try await AccountTokenRepository($0).isValid(hash: SecretToken.hash(token), purpose: .adminSetup, at: Date())
        }
    }
}
