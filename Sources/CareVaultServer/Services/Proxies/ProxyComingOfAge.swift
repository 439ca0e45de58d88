import CareVaultCore
import CareVaultStore
import Foundation

/// On the 18th birthday every parent's grant ends (the policy refuses it from local midnight); this
/// tells the patient their record is now theirs alone — and how to take over their account if they
/// have none — and tells each parent their access ended. Once per grant, run by ``Housekeeping``.
struct ProxyComingOfAge: Sendable {
    let env: AppEnvironment

    @discardableResult
    func sweep(now: Date = Date()) async throws -> Int {
        let rules = env.configuration.proxyRules, zone = env.configuration.timeZone
        // Anyone born after this day is not yet 18 anywhere on the clinic's calendar (29 February aside,
        // which the age check below settles).
        let latestBirth = BirthDate.sameDay(yearsBefore: rules.adultAge, BirthDate(now, in: zone)).description
        var told = 0
        while true {
            let due = try await env.database.read {
                try await ProxyGrantRepository($0).parentGrantsNotToldOfComingOfAge(bornOnOrBefore: latestBirth, limit: 100)
            }.filter { $0.1.age(at: now, in: zone) >= rules.adultAge }
            if due.isEmpty { return told }
            for (stored, _) in due {
                try await env.database.write { sql in
                    try await ProxyGrantRepository(sql).markComingOfAgeNotified(id: stored.id, at: now)
                    let accounts = AccountRepository(sql)
                    let patientAccount = try await accounts.find(patient: stored.patient)
                    if let address = try await ProxyNotices.address(of: stored.patient, on: sql) {
                        let takeOver = patientAccount == nil
                            ? "To use your record yourself, set up your own account at \(env.link(Paths.register)) (or ask your clinic for an activation code)."
                            : "You can see who has access to your record, and give it to anyone you choose, at \(env.link(Paths.proxies(stored.patient.description)))."
                        try await env.mailer.queue(
                            to: address, subject: "Your health record is now yours alone",
                            body: "Happy birthday. Now that you are \(rules.adultAge), \(stored.proxyName)'s access to your health record as your parent has ended. \(takeOver)",
                            on: sql)
                    }
                    if let parent = stored.proxyAccount, let account = try await accounts.find(id: parent) {
                        try await env.mailer.queue(
                            to: account.email, subject: "Your access to a child's health record has ended",
                            body: "Your child has turned \(rules.adultAge), so your access to their health record as their parent has ended. They can give you access again themselves if they wish.",
                            on: sql)
                    }
                }
                told += 1
            }
        }
    }
}
