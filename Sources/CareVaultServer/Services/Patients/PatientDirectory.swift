import CareVaultCore
import CareVaultStore
import Foundation

/// The organization's list of patients for its staff: search by name or patient ID, and whether each
/// patient has an account yet. Callers have been allowed ``OrganizationAction/findPatients``.
struct PatientDirectory: Sendable {
    let env: AppEnvironment

    /// One page of the organization's patients matching `query` (one more than `limit` when there is a
    /// next page), and which of the first `limit` have an account.
    func search(organization: OrganizationID, matching query: String, limit: Int, offset: Int) async throws
        -> (patients: [Patient], withAccounts: Set<PatientID>) {
        try await env.database.read { sql in
            let found = try await PatientRepository(sql).list(organization: organization, matching: query, limit: limit + 1, offset: offset)
            var accounts = Set<PatientID>()
            for patient in found.prefix(limit) where try await AccountRepository(sql).find(patient: patient.id) != nil {
                accounts.insert(patient.id)
            }
            return (found, accounts)
        }
    }

    /// Whether the patient has signed up (or been given) an account.
    func hasAccount(_ patient: PatientID) async throws -> Bool {
        try await env.database.read { try await AccountRepository($0).find(patient: patient) } != nil
    }
}
