import CareVaultCore
import CareVaultStore
import Foundation

/// How proxy grants are said to the patient and to the proxy.
enum ProxyWords {
    /// Where a grant stands, in a few words.
    static func status(_ stored: StoredProxyGrant, birthDate: BirthDate, now: Date, rules: ProxyRules, zone: TimeZone) -> String {
        switch stored.grant.standing(at: now, patientBirthDate: birthDate, timeZone: zone, rules: rules) {
        case .invited:
            let open = (stored.invitationExpiresAt.map { $0 > now } ?? false) && stored.failedAttempts < ProxyInvitationService.confirmationAttempts
            return open ? "Invited — waiting for them to accept (until \(stored.invitationExpiresAt.map { PlainDate.day($0, in: zone) } ?? ""))"
                : "Invitation not accepted (it has ended)"
        case .active(_, let narrowing):
            return narrowing.resourceTypes == nil ? "Active" : "Active, limited: the patient is \(rules.adolescentAge) or older"
        case .ended(.revoked):
            return stored.revokedBy != nil && stored.revokedBy == stored.proxyAccount ? "Ended: they gave it up" : "Ended"
        case .ended(.expired): return "Expired"
        case .ended(.patientCameOfAge): return "Ended on the patient's \(rules.adultAge)th birthday"
        }
    }

    /// Whether a grant still allows (or will allow, once accepted) anything.
    static func isLive(_ stored: StoredProxyGrant, birthDate: BirthDate, now: Date, rules: ProxyRules, zone: TimeZone) -> Bool {
        switch stored.grant.standing(at: now, patientBirthDate: birthDate, timeZone: zone, rules: rules) {
        case .active: true
        case .invited: (stored.invitationExpiresAt.map { $0 > now } ?? false)
        case .ended: false
        }
    }

    /// The scopes, each in plain words, in a fixed order; those of features still to come marked.
    static func scopes(_ scopes: Set<ProxyScope>) -> [String] {
        ProxyScope.allCases.filter(scopes.contains).map { $0.plainText + ($0.isAvailable ? "" : " (not available yet)") }
    }

    /// "Passport, ref 123, 2026-01-04".
    static func document(_ document: ProxyDocument?) -> String? {
        document.map { "\($0.type), reference \($0.reference), dated \(PlainDate.day($0.date))" }
    }
}
