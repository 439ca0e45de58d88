import CareVaultCore
import CareVaultStore
import Foundation
import SQLKit

/// Changing a stored resource the way the record keeps history: the change becomes the next version
/// (`meta.versionId` one up, `meta.lastUpdated` now), re-indexed, with the old version kept.
enum RecordVersioning {
    static func saveNextVersion(of stored: StoredResource, _ json: JSONValue, at now: Date, on sql: any SQLDatabase) async throws {
        var next = json
        next.set("meta", .object([("versionId", .string(String(stored.versionID + 1))), ("lastUpdated", .string(now.formatted(.iso8601)))]))
        try await FHIRResourceRepository(sql).save(
            StoredResource(resourceType: stored.resourceType, id: stored.id, patientScope: stored.patientScope, matchKey: stored.matchKey,
                           versionID: stored.versionID + 1, lastUpdated: now, source: stored.source, json: next.jsonText),
            index: try FHIRIndexFields.read(next), previous: stored)
    }
}
