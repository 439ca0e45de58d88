import CareVaultCore
import CareVaultStore
import Foundation

/// How "Who has seen my record" says an audit event in plain words: who, what, on which authority.
enum AccessHistoryWords {
    /// The events that are about the record's data (account security events are under Activity).
    static let actions: [AuditAction] = [
        .recordRead, .recordDownloaded, .recordAccessDenied, .recordImported, .importMatchConfirmed, .recordReleased,
        .recordUploaded, .uploadChanged, .uploadDeleted, .uploadErased, .readingsRecorded, .entryReported,
        .contributionRemoved, .reviewStatusChanged, .patientRegistered, .activationCodeIssued,
        .proxyInvited, .proxyAccepted, .proxyChanged, .proxyRevoked, .disclosureRecorded,
        .shareCreated, .shareRevoked, .shareOpened, .shareCodeFailed, .shareLocked, .imageConsentRecorded, .imageConsentWithdrawn,
    ]

    /// "You", "Dr Chen, clinician at City Clinic", "Ana Lopez, proxy", "Someone without access".
    static func who(_ event: AuditEvent, viewer: AccountID, people: [AccountID: AccessHistoryPerson],
                    shares: [GrantID: StoredShareLink] = [:]) -> String {
        if event.outcome == .denied { return "Someone without access" }
        if case .grant(.shareLink, let id) = event.basis.flatMap(Basis.init(stored:)), event.actorAccount == nil {
            let label = shares[id].map { "“\($0.share.label)”" } ?? "a share link"
            return "Someone with \(label)" + (event.clientIP.map { ", from \($0)" } ?? "")
        }
        guard let account = event.actorAccount else { return "Clinic staff, at the server's command line" }
        if account == viewer { return "You" }
        let name = people[account]?.displayName ?? "A former account"
        switch event.basis.flatMap(Basis.init(stored:)) {
        case .ownRecord: return "\(name), the patient"
        case .careTeam(let role, _):
            return "\(name), \(role.displayName.lowercased())" + (people[account]?.organizationName.map { " at \($0)" } ?? "")
        case .grant(let kind, _): return "\(name), \(kind == .proxy ? "proxy" : "with access the patient granted")"
        case .administration: return "\(name), administrator"
        case nil: return event.actorRole.map { "\(name), \($0.displayName.lowercased())" } ?? name
        }
    }

    /// "Viewed 3 test results and 1 visit", "Downloaded 12 items", "Tried to open the record and was refused".
    /// A reader whose visibility hides some kinds or categories (`namesKinds` false) is told only how
    /// many items, so the history does not say what kinds of care it may not see.
    static func what(_ event: AuditEvent, namesKinds: Bool = true) -> String {
        if event.resourceType == "AuditEvent" {
            return event.action == .recordAccessDenied ? "Tried to see who has seen the record and was refused" : "Looked at who has seen the record"
        }
        switch event.action {
        case .recordAccessDenied: return "Tried to open the record and was refused"
        case .recordRead: return "Viewed " + shown(event, namesKinds: namesKinds)
        case .recordDownloaded: return "Downloaded " + shown(event, namesKinds: namesKinds)
        default: return event.action.plainDescription
        }
    }

    /// The one item an event was about, for a link, when it names exactly one listable item.
    static func item(_ event: AuditEvent) -> (type: String, id: String)? {
        guard event.outcome == .success, [.recordRead, .recordDownloaded].contains(event.action), event.entities.count == 1 else { return nil }
        let parts = event.entities[0].split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2, nouns[parts[0]] != nil, !["Patient", "Binary", "Provenance"].contains(parts[0]) else { return nil }
        return (parts[0], parts[1])
    }

    /// "Own account", "Care team of City Clinic", "Proxy access", "Refused".
    static func authority(_ event: AuditEvent, people: [AccountID: AccessHistoryPerson], grants: [GrantID: StoredProxyGrant] = [:],
                          shares: [GrantID: StoredShareLink] = [:]) -> String {
        if event.outcome == .denied { return "Refused" }
        if case .grant(.shareLink, let id) = event.basis.flatMap(Basis.init(stored:)), let stored = shares[id] {
            return "Share link “\(stored.share.label)” (made on \(PlainDate.day(stored.share.createdAt)), until \(PlainDate.day(stored.share.expiresAt))): "
                + (stored.share.allowsDownload ? "see and download" : "see") + " \(stored.share.items.count == 1 ? "1 shared item" : "\(stored.share.items.count) shared items")"
        }
        if case .grant(.proxy, let id) = event.basis.flatMap(Basis.init(stored:)), let grant = grants[id] {
            let made = grant.document != nil ? "set up by staff" : "given by the patient"
            return "Proxy access (\(grant.grant.relationship.plainText), \(made) on \(PlainDate.day(grant.createdAt))): "
                + ProxyWords.scopes(grant.grant.scopes).map { $0.lowercased() }.joined(separator: "; ")
        }
        switch event.basis.flatMap(Basis.init(stored:)) {
        case .ownRecord: return "The patient's own account"
        case .careTeam:
            let organization = event.actorAccount.flatMap { people[$0]?.organizationName }
            return "Care team" + (organization.map { " of \($0)" } ?? "")
        case .grant(let kind, _):
            switch kind {
            case .proxy: return "Proxy access the patient granted"
            case .shareLink: return "A share link the patient made"
            case .app: return "An app the patient connected"
            }
        case .administration: return "Administration"
        case nil: return event.actorAccount == nil ? "Clinic administration" : "Account"
        }
    }

    /// What an event's entities were, counted by kind: "3 test results and 1 visit".
    static func shown(_ event: AuditEvent, namesKinds: Bool) -> String {
        guard !event.entities.isEmpty else {
            return event.resourceType.flatMap { namesKinds ? nouns[$0]?.plural : nil }.map { "a list of \($0)" } ?? "the record"
        }
        guard namesKinds else { return event.entities.count == 1 ? "1 item" : "\(event.entities.count) items" }
        var counts: [(noun: (one: String, plural: String), count: Int)] = []
        var index: [String: Int] = [:]
        for entity in event.entities {
            let type = String(entity.split(separator: "/", maxSplits: 1).first ?? "")
            let noun = nouns[type] ?? ("other item", "other items")
            if let i = index[noun.one] { counts[i].count += 1 } else { index[noun.one] = counts.count; counts.append((noun, 1)) }
        }
        let parts = counts.map { $0.count == 1 ? (["your details"].contains($0.noun.one) ? $0.noun.one : "1 \($0.noun.one)") : "\($0.count) \($0.noun.plural)" }
        return parts.count == 1 ? parts[0] : parts.dropLast().joined(separator: ", ") + " and " + parts.last!
    }

    /// Resource types in plain words.
    static let nouns: [String: (one: String, plural: String)] = [
        "Patient": ("your details", "patient details"),
        "Observation": ("test result or reading", "test results and readings"),
        "DiagnosticReport": ("report", "reports"),
        "DocumentReference": ("document or file", "documents and files"),
        "Binary": ("file", "files"),
        "Encounter": ("visit", "visits"),
        "MedicationRequest": ("medicine", "medicines"),
        "MedicationStatement": ("medicine", "medicines"),
        "AllergyIntolerance": ("allergy", "allergies"),
        "Condition": ("problem or diagnosis", "problems and diagnoses"),
        "Immunization": ("vaccination", "vaccinations"),
        "Procedure": ("procedure", "procedures"),
        "CarePlan": ("care plan", "care plans"),
        "ImagingStudy": ("imaging study", "imaging studies"),
        "Provenance": ("note of where an item came from", "notes of where items came from"),
        "ProxyGrant": ("proxy access", "people with proxy access"),
    ]
}
