import CareVaultCore
import CareVaultStore
import Logging

/// Re-keys activation and recovery codes stored as plain SHA-256 before codes were hashed with a key
/// (``CodeHasher``): each hash becomes its keyed form, so the codes people hold keep working and a
/// copy of the database alone no longer lets anyone try them. Runs at start-up; a no-op once done.
struct CodeRekeying {
    let env: AppEnvironment

    func run() async throws {
        let hasher = CodeHasher(masterKey: env.masterKey)
        let count = try await env.database.write { sql in
            let patients = PatientRepository(sql), tokens = AccountTokenRepository(sql)
            let activation = try await patients.activationCodeHashes(notStartingWith: CodeHasher.prefix)
            for hash in activation { try await patients.replaceActivationCodeHash(hash, with: hasher.rekey(hash)) }
            let recovery = try await tokens.recoveryCodeHashes(notStartingWith: CodeHasher.prefix)
            for (account, hash) in recovery { try await tokens.replaceRecoveryCodeHash(account: account, hash, with: hasher.rekey(hash)) }
            return activation.count + recovery.count
        }
        if count > 0 { env.logger.notice("Re-keyed stored activation and recovery codes", metadata: ["count": "\(count)"]) }
    }
}
