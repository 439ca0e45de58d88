import CareVaultCore
import CareVaultStore

/// Resources in nobody's record (practitioners, organizations, places, medicines), and whose record
/// a resource named only by type and id is in, so that a request can open the right door.
struct SharedResources: Sendable {
    let env: AppEnvironment

    /// The patient id whose record holds the resource ("" for a shared one); nil for an unknown one.
    func owner(type: String, id: String) async throws -> String? {
        try await env.database.read { try await FHIRResourceRepository($0).owner(type: type, id: id) }
    }

    /// A shared resource.
    func find(type: String, id: String) async throws -> StoredResource? {
        try await env.database.read { try await FHIRResourceRepository($0).findShared(type: type, id: id) }
    }
}
