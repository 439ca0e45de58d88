import CareVaultCore
import CareVaultStore
import Foundation

/// Loads one page of "Who has seen my record" through the record's door: the record's audit events
/// (``AccessHistoryWords/actions``), the people named in them, and which of the items they were about
/// this reader may open.
struct AccessHistory: Sendable {
    /// One page of the history.
    struct Page: Sendable {
        let entries: [AuditEntry]
        let people: [AccessHistoryPerson]
        /// The single items events were about that this reader may open (`Type/id`).
        let openable: Set<String>
        let hasMore: Bool
        /// The record's proxy grants, by id: an entry allowed by one names it.
        let grants: [GrantID: StoredProxyGrant]
        /// The record's shares, by id: an entry allowed by one names its label.
        let shares: [GrantID: StoredShareLink]
    }

    /// Events newest first, `limit` from `offset`, within `from`–`to` (milliseconds) and by `person`;
    /// with `links`, which single items this reader may open (one lookup each: the page needs them,
    /// the CSV does not).
    func load(_ record: PatientRecord, from: Int64?, to: Int64?, person: AccountID?, limit: Int, offset: Int,
              links: Bool = true) async throws -> Page {
        try await record.read { reader in
            let found = try await reader.accessHistory(actions: AccessHistoryWords.actions, from: from, to: to, actor: person,
                                                       limit: limit + 1, offset: offset)
            var entries = Array(found.prefix(limit))
            if Self.isRestricted(reader.visibility) { entries = try await Self.visibleOnly(entries, reader: reader) }
            var openable: Set<String> = []
            let single = links ? Set(entries.compactMap { AccessHistoryWords.item($0.event).map { "\($0.type)/\($0.id)" } }) : []
            for item in single {
                let parts = item.split(separator: "/", maxSplits: 1).map(String.init)
                if try await reader.item(type: parts[0], id: parts[1]) != nil { openable.insert(item) }
            }
            let grants = Self.isRestricted(reader.visibility) ? [] : try await reader.proxyGrants()
            let shares = Self.isRestricted(reader.visibility) ? [] : try await reader.shareLinks()
            var people = try await reader.accessHistoryPeople(actions: AccessHistoryWords.actions)
            if Self.isRestricted(reader.visibility) {
                let named = Set(entries.compactMap(\.event.actorAccount))
                people = people.filter { named.contains($0.account) }
            }
            return Page(entries: entries, people: people,
                        openable: openable, hasMore: found.count > limit,
                        grants: Dictionary(grants.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first }),
                        shares: Dictionary(shares.map { ($0.share.id, $0) }, uniquingKeysWith: { first, _ in first }))
        }
    }

    /// Whether this reader sees less than the patient (a parent of an adolescent): their history then
    /// lists only accesses to what they may see themselves, so it never hints at the rest.
    static func isRestricted(_ visibility: RecordVisibility) -> Bool {
        visibility.resourceTypes != nil || visibility.items != nil || !visibility.hiddenCategories.isEmpty || !visibility.hiddenCodes.isEmpty
    }

    /// At most this many items are looked up per page; an event naming more is left out for such a reader.
    static let lookupLimit = 200

    /// The entries whose every item this reader may see (one lookup per item, within ``lookupLimit``);
    /// entries about no item are kept only when they are about a kind this reader may see.
    static func visibleOnly(_ entries: [AuditEntry], reader: PatientRecordReader) async throws -> [AuditEntry] {
        var checked: [String: Bool] = [:]
        var kept: [AuditEntry] = []
        for entry in entries {
            let event = entry.event
            guard event.outcome != .denied else { continue }
            if event.entities.isEmpty {
                if let type = event.resourceType, type != "AuditEvent", type != "Patient", !reader.visibility.allows(type: type) { continue }
                if event.resourceType.map({ ["ProxyGrant", "Disclosure", "ShareLink", "Consent"].contains($0) }) == true { continue }
                kept.append(entry)
                continue
            }
            guard event.entities.count + checked.count <= lookupLimit else { continue }
            var visible = true
            for entity in event.entities {
                if let known = checked[entity] { visible = visible && known; continue }
                let parts = entity.split(separator: "/", maxSplits: 1).map(String.init)
                var seen = false
                if parts.count == 2 { seen = parts[0] == "Patient" ? true : try await reader.item(type: parts[0], id: parts[1]) != nil }
                checked[entity] = seen
                visible = visible && seen
            }
            if visible { kept.append(entry) }
        }
        return kept
    }
}
