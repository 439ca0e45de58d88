import CareVaultCore
import CareVaultStore
import Foundation

/// What the account-security pages show of a signed-in account: its current settings, recovery codes
/// left, and its own security events.
struct AccountSecurityService: Sendable {
    let env: AppEnvironment

    /// The account as stored now (enrolment may have changed it since the session was checked).
    func current(_ account: Account) async throws -> Account {
        try await env.database.read { try await AccountRepository($0).find(id: account.id) } ?? account
    }

    /// Recovery codes left and devices signed in, for the overview.
    func overview(of account: Account) async throws -> (recoveryCodesLeft: Int, activeSessions: Int) {
        try await env.database.read { sql in
            (try await AccountTokenRepository(sql).remainingRecoveryCodes(account: account.id),
             try await SessionRepository(sql).listActive(account: account.id, at: Date()).count)
        }
    }

    /// The account's last 100 security events (sign-ins, failures, factor and password changes).
    func activity(of account: Account) async throws -> [AuditEntry] {
        let actions = AuditAction.allCases.filter(\.isSecurityEvent)
        return try await env.database.read { sql in
            try await AuditLogRepository(sql, kind: env.database.kind).entries(forAccount: account.id, actions: actions, limit: 100)
        }
    }
}
