import CareVaultCore
import CareVaultStore
import Foundation

/// Reminds patients 30 days before a proxy's access ends, once per grant (renewing starts again), so
/// that only the patient renews and nobody loses access by surprise. Run by ``Housekeeping``.
struct ProxyReminders: Sendable {
    static let notice: TimeInterval = 30 * 24 * 60 * 60
    let env: AppEnvironment

    /// Sends what is due now; returns how many reminders went out.
    @discardableResult
    func sweep(now: Date = Date()) async throws -> Int {
        var sent = 0
        while true {
            let due = try await env.database.read {
                try await ProxyGrantRepository($0).dueForReminder(endingBefore: now.addingTimeInterval(Self.notice), at: now, limit: 100)
            }
            if due.isEmpty { return sent }
            for stored in due {
                try await env.database.write { sql in
                    let grants = ProxyGrantRepository(sql)
                    try await grants.markReminded(id: stored.id, at: now)
                    guard let address = try await ProxyNotices.address(of: stored.patient, on: sql), let ends = stored.grant.expiresAt else { return }
                    let day = PlainDate.day(ends, in: env.configuration.timeZone)
                    let link = env.link(Paths.proxies(stored.patient.description))
                    let renew = stored.grant.relationship == .caregiver
                        ? "To keep it, renew it with one click at \(link)." : "Ask your clinic if it should continue; see it at \(link)."
                    try await env.mailer.queue(to: address, subject: "\(stored.proxyName)'s access to your health record ends on \(day)",
                                               body: "The proxy access you gave \(stored.proxyName) ends on \(day). \(renew) If you do nothing, it simply ends.",
                                               on: sql)
                }
                sent += 1
            }
        }
    }
}
