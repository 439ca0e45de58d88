import CareVaultCore
import Foundation

/// One FHIR resource as stored: its current JSON and where it sits in its history.
public struct StoredResource: Sendable {
    public let resourceType: String
    public let id: String
    /// The CareVault patient id for resources in a patient's record; "" for shared resources.
    public let patientScope: String
    public let matchKey: String
    public let versionID: Int64
    public let lastUpdated: Date
    /// Which system or person it came from (e.g. `import:bundle.json`).
    public let source: String
    public let json: String

    public init(resourceType: String, id: String, patientScope: String, matchKey: String, versionID: Int64,
                lastUpdated: Date, source: String, json: String) {
        self.resourceType = resourceType
        self.id = id
        self.patientScope = patientScope
        self.matchKey = matchKey
        self.versionID = versionID
        self.lastUpdated = lastUpdated
        self.source = source
        self.json = json
    }
}
