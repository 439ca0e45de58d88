import CareVaultCore
import CareVaultStore
import Foundation

/// Security labels (`meta.security`) became part of the code index with proxy access, so that items a
/// sender marked confidential can be kept from parents of adolescents. Resources stored before that
/// carry labels the index never saw; this indexes them once, at start-up, and notes that it did.
struct SecurityLabelIndexing: Sendable {
    static let doneSetting = "index.security-labels"
    let env: AppEnvironment

    /// Returns how many resources were indexed (0 when it had run before).
    @discardableResult
    func run() async throws -> Int {
        guard try await env.database.read({ try await SettingsRepository($0).value(Self.doneSetting) }) == nil else { return 0 }
        var cursor: (type: String, id: String)?
        var indexed = 0
        while true {
            let batch = try await env.database.read { try await FHIRResourceRepository($0).labelled(after: cursor, limit: 200) }
            guard let last = batch.last else { break }
            cursor = (last.resourceType, last.id)
            // A resource whose JSON cannot be read is left as it was; every page already refuses to show it.
            let items = batch.compactMap { resource -> (StoredResource, FHIRIndexFields)? in
                guard let json = try? JSONParser.parse(resource.json), let fields = try? FHIRIndexFields.read(json) else { return nil }
                return (resource, fields)
            }
            try await env.database.write { try await FHIRResourceRepository($0).addMissingCodes(items) }
            indexed += items.count
        }
        try await env.database.write { try await SettingsRepository($0).set(Self.doneSetting, to: "done", by: nil, at: Date()) }
        return indexed
    }
}
