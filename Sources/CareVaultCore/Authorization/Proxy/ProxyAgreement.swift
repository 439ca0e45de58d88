import Foundation

extension ProxyRelationship {
    /// "caregiver", "parent", "guardian", "power of attorney", as a sentence says it.
    public var plainText: String {
        switch self {
        case .caregiver: "caregiver"
        case .parent: "parent"
        case .guardian: "guardian"
        case .powerOfAttorney: "power of attorney"
        }
    }
}

/// The terms a proxy agrees to, in plain words: who they act for, what the grant allows, and what the
/// patient can see and do about it. The exact text shown is what is stored with the acceptance.
public enum ProxyAgreement {
    public static func text(proxyName: String, patientName: String, relationship: ProxyRelationship, scopes: Set<ProxyScope>,
                            ends: String?) -> String {
        let allowed = ProxyScope.allCases.filter { scopes.contains($0) }
            .map { "- " + $0.plainText + ($0.isAvailable ? "" : " (not available yet)") }
        return """
        I, \(proxyName), accept proxy access to the health record of \(patientName), as their \(relationship.plainText). It allows me to:
        \(allowed.joined(separator: "\n"))
        I will use it only to help \(patientName), keep what I see private, and never share my password or let anyone else use my account.
        Every time I open the record it is logged, and \(patientName) can see it. \(patientName) can change or end this access at any time, \
        and so can I.
        \(ends.map { "This access ends on \($0) unless it is renewed." } ?? "This access lasts until it is ended.")
        """
    }
}
