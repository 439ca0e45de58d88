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
    }

    /// Events newest first, `limit` from `offset`, within `from`–`to` (milliseconds) and by `person`;
    /// with `links`, which single items this reader may open (one lookup each: the page needs them,
    /// the CSV does not).
    func load(_ record: PatientRecord, from: Int64?, to: Int64?, person: AccountID?, limit: Int, offset: Int,
              links: Bool = true) async throws -> Page {
        try await record.read { reader in
            let found = try await reader.accessHistory(actions: AccessHistoryWords.actions, from: from, to: to, actor: person,
                                                       limit: limit + 1, offset: offset)
            let entries = Array(found.prefix(limit))
            var openable: Set<String> = []
            let single = links ? Set(entries.compactMap { AccessHistoryWords.item($0.event).map { "\($0.type)/\($0.id)" } }) : []
            for item in single {
                let parts = item.split(separator: "/", maxSplits: 1).map(String.init)
                if try await reader.item(type: parts[0], id: parts[1]) != nil { openable.insert(item) }
            }
            let grants = try await reader.proxyGrants()
            return Page(entries: entries, people: try await reader.accessHistoryPeople(actions: AccessHistoryWords.actions),
                        openable: openable, hasMore: found.count > limit,
                        grants: Dictionary(grants.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first }))
        }
    }
}
