import CareVaultCore
import Foundation

/// One FHIR resource as stored: its current JSON and where it sits in its history.
public struct StoredResource: Sendable {
    public let resourceType: String
    public let id: String
    /// Whose record it is in; nil for a shared resource (a practitioner, an organization, a medicine).
    public var patient: PatientID? { scope.isEmpty ? nil : PatientID(scope) }
    /// The `patient_scope` column as read ("" for shared): kept as text, because parsing a UUID for
    /// every row read cost ~5 % of the lab results page and `$everything` per CPU-second.
    let scope: String
    public let matchKey: String
    public let versionID: Int64
    public let lastUpdated: Date
    /// Which system or person it came from (e.g. `import:bundle.json`).
    public let source: String
    public let json: String
    /// The portal section it is listed in (nil: not listed on its own, e.g. a visit or a practitioner).
    public let section: RecordSection?
    /// From when the patient may see it (milliseconds since 1970); nil while held for a clinician's release.
    public let availableAt: Int64?
    /// When the patient first opened it; nil shows it as new.
    public let openedAt: Int64?
    /// Its category code as indexed (e.g. `laboratory`), which a reader's visibility may hide.
    public let category: String?

    public init(resourceType: String, id: String, patient: PatientID?, matchKey: String, versionID: Int64,
                lastUpdated: Date, source: String, json: String, section: RecordSection? = nil, availableAt: Int64? = nil,
                openedAt: Int64? = nil, category: String? = nil) {
        self.init(resourceType: resourceType, id: id, scope: patient?.description ?? "", matchKey: matchKey, versionID: versionID,
                  lastUpdated: lastUpdated, source: source, json: json, section: section, availableAt: availableAt, openedAt: openedAt,
                  category: category)
    }

    /// A row as read, its owner as the stored text.
    init(resourceType: String, id: String, scope: String, matchKey: String, versionID: Int64, lastUpdated: Date, source: String, json: String,
         section: RecordSection?, availableAt: Int64?, openedAt: Int64?, category: String?) {
        self.resourceType = resourceType
        self.id = id
        self.scope = scope
        self.matchKey = matchKey
        self.versionID = versionID
        self.lastUpdated = lastUpdated
        self.source = source
        self.json = json
        self.section = section
        self.availableAt = availableAt
        self.openedAt = openedAt
        self.category = category
    }

    /// Whether it is in `patient`'s record (without parsing the stored id).
    public func isIn(_ patient: PatientID) -> Bool { scope == patient.description }

    /// The same row with other JSON (a view of it trimmed for a reader; never stored).
    public func with(json: String) -> StoredResource {
        StoredResource(resourceType: resourceType, id: id, scope: scope, matchKey: matchKey, versionID: versionID,
                       lastUpdated: lastUpdated, source: source, json: json, section: section, availableAt: availableAt, openedAt: openedAt,
                       category: category)
    }

    /// Whether the patient may see it at `time` (milliseconds since 1970).
    public func isReleased(at time: Int64) -> Bool { availableAt.map { $0 <= time } ?? false }
}
