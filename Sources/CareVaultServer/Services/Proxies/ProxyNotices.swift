import CareVaultCore
import CareVaultStore
import Foundation

/// The emails proxy access sends: the invitation to the proxy, and to the patient when a grant is
/// accepted, changed or first used. Each is queued in the transaction of the change it reports; none
/// carries clinical data.
struct ProxyNotices: Sendable {
    let env: AppEnvironment

    /// The invitation, with its single-use link, to the person the patient (or staff) named.
    func invitation(_ stored: StoredProxyGrant, patientName: String, token: SecretToken, with writer: PatientRecordWriter) async throws {
        let confirm = stored.confirmation == .code
            ? "You will also need the short code \(patientName) (or the clinic) gives you."
            : "You will also need \(patientName)'s date of birth."
        try await env.mailer.queue(
            to: stored.proxyEmail, subject: "\(patientName) invited you to help with their health record",
            body: """
            Hello \(stored.proxyName),

            \(patientName) has offered you proxy access to their health record in CareVault. To accept, follow this link within 7 days:

            \(env.link(Paths.proxyInvitation(token.value)))

            \(confirm) You will see what the access allows before you accept.

            If you were not expecting this, ignore this message: nothing happens unless you accept.
            """,
            with: writer)
    }

    /// Tells the patient that a grant was accepted, changed or ended.
    func toPatient(subject: String, body: String, with writer: PatientRecordWriter) async throws {
        guard let address = try await writer.patientAddress() else { return }
        try await env.mailer.queue(to: address, subject: subject, body: body + footer(writer.patient), with: writer)
    }

    private func footer(_ patient: PatientID) -> String {
        "\n\nSee everyone with access to your record, and change or end it, at \(env.link(Paths.proxies(patient.description)))."
    }

    /// Notes that the proxy opened the record now (at most once a minute), and the first time tells the patient.
    func noteUse(of stored: StoredProxyGrant, patient: Patient, by account: Account, at now: Date) async throws {
        guard stored.lastUsedAt.map({ now.timeIntervalSince($0) >= 60 }) ?? true else { return }
        try await env.database.write { sql in
            guard try await ProxyGrantRepository(sql).noteUse(id: stored.id, at: now),
                  let address = try await Self.address(of: patient.id, on: sql) else { return }
            try await env.mailer.queue(
                to: address, subject: "\(account.displayName) opened your health record for the first time",
                body: "\(account.displayName) used the proxy access you gave them to open your health record for the first time." + footer(patient.id),
                on: sql)
        }
    }

    /// The patient's address: their account's, or the one on file.
    static func address(of patient: PatientID, on sql: Database.DatabaseConnection) async throws -> String? {
        if let account = try await AccountRepository(sql).find(patient: patient) { return account.email }
        return try await PatientRepository(sql).find(id: patient)?.email
    }
}
