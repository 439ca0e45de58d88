import CareVaultCore
import CareVaultStore
import Foundation

/// How a share is described in plain words on the patient's pages.
enum ShareWords {
    /// "3 test results and readings and 1 visit" (files the items carry are not counted apart).
    static func what(_ items: [String]) -> String {
        let listed = items.filter { !$0.hasPrefix("Binary/") }
        let event = AuditEvent(action: .recordRead, entities: listed)
        return listed.isEmpty ? "Nothing" : AccessHistoryWords.shown(event, namesKinds: true)
    }

    /// "Active", "Ended: you ended it", "Locked after 5 wrong codes"…
    static func status(_ share: ShareLink, at now: Date) -> String {
        status(ended: share.ended(at: now))
    }

    /// The words for why a share ended (nil: it has not).
    static func status(ended reason: ShareLink.EndReason?) -> String {
        switch reason {
        case nil: "Active"
        case .revoked: "Ended: it was ended by hand"
        case .expired: "Ended: its time ran out"
        case .locked: "Locked after \(ShareLink.attemptLimit) wrong codes"
        case .used: "Used: it could be opened once, and was"
        case .sharerLostAccess: "Ended: the person who made it no longer has access"
        }
    }

    /// "Downloads allowed · once only · birth date asked · SMART Health Link".
    static func options(_ stored: StoredShareLink) -> String {
        let share = stored.share
        return words(download: share.allowsDownload, onceOnly: share.onceOnly, birthDate: share.asksBirthDate, healthLink: stored.isSMARTHealthLink,
                     longTerm: stored.longTerm)
    }

    static func options(_ choices: ShareService.Choices) -> String {
        words(download: choices.allowsDownload, onceOnly: choices.onceOnly, birthDate: choices.asksBirthDate, healthLink: choices.healthLink,
              longTerm: choices.longTerm)
    }

    private static func words(download: Bool, onceOnly: Bool, birthDate: Bool, healthLink: Bool, longTerm: Bool) -> String {
        var parts = [download ? "Downloads allowed" : "View only, no downloads"]
        if onceOnly { parts.append("can be opened once") }
        if birthDate { parts.append("asks for your date of birth") }
        if healthLink { parts.append(longTerm ? "also a long-term SMART Health Link" : "also a SMART Health Link") }
        return parts.joined(separator: " · ")
    }
}
