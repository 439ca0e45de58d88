import CareVaultCore
import Foundation
import SQLKit

/// Reads and writes the FHIR store (`fhir_resources`, `fhir_resource_versions`, `fhir_resource_codes`).
public struct FHIRResourceRepository: Sendable {
    private let sql: any SQLDatabase

    public init(_ sql: any SQLDatabase) { self.sql = sql }

    /// What recognizes a resource on import: its type, whose record (nil: shared), and its match key.
    public struct MatchKey: Hashable, Sendable {
        public let type: String
        public let patient: PatientID?
        public let matchKey: String
        public init(type: String, patient: PatientID?, matchKey: String) {
            self.type = type
            self.patient = patient
            self.matchKey = matchKey
        }
    }

    /// The stored resources among `keys`, found with one query per type and scope (in chunks),
    /// rather than one per resource.
    public func find(matching keys: [MatchKey]) async throws -> [MatchKey: StoredResource] {
        var found: [MatchKey: StoredResource] = [:]
        let groups = Dictionary(grouping: Set(keys)) { "\($0.type)\u{0}\(Self.scope($0.patient))" }
        for group in groups.values {
            let first = group[0]
            for start in stride(from: 0, to: group.count, by: 500) {
                let chunk = group[start..<min(start + 500, group.count)].map(\.matchKey)
                for row in try await sql.raw("""
                    SELECT * FROM fhir_resources WHERE resource_type = \(bind: first.type) AND patient_scope = \(bind: Self.scope(first.patient))
                    AND match_key IN (\(binds: chunk))
                    """).all() {
                    let stored = try Self.stored(row)
                    found[MatchKey(type: stored.resourceType, patient: try Self.patient(scope: stored.scope), matchKey: stored.matchKey)] = stored
                }
            }
        }
        return found
    }

    /// One resource by type and id, whoever's record it is in, held or not: for writers (imports,
    /// reviews, releases) and the care team's organization queues, which work on the whole record.
    /// Readers of one record use ``find(type:id:patient:visibility:)`` (through ``PatientRecordReader``).
    public func findWhole(type: String, id: String) async throws -> StoredResource? {
        try await sql.raw("SELECT * FROM fhir_resources WHERE resource_type = \(bind: type) AND id = \(bind: id)").first().map(Self.stored)
    }

    /// One resource of `patient`'s record that `visibility` allows; nil for an unknown id, another
    /// patient's resource, or one hidden from this reader alike.
    public func find(type: String, id: String, patient: PatientID, visibility: RecordVisibility) async throws -> StoredResource? {
        try await sql.raw("""
            SELECT * FROM fhir_resources r WHERE r.resource_type = \(bind: type) AND r.id = \(bind: id)
            AND r.patient_scope = \(bind: patient.description)\(visibility.sqlConditions(alias: "r"))
            """).first().map(Self.stored).flatMap { visibility.allows($0) ? $0 : nil }
    }

    /// A shared resource (a practitioner, an organization, a place, a medicine): in nobody's record.
    public func findShared(type: String, id: String) async throws -> StoredResource? {
        try await sql.raw("""
            SELECT * FROM fhir_resources WHERE resource_type = \(bind: type) AND id = \(bind: id) AND patient_scope = ''
            """).first().map(Self.stored)
    }

    /// Whose record a resource is in ("" for shared resources), without reading it: how a request that
    /// names only a resource finds the door to open.
    public func owner(type: String, id: String) async throws -> String? {
        try await sql.raw("SELECT patient_scope FROM fhir_resources WHERE resource_type = \(bind: type) AND id = \(bind: id)")
            .first().map { try $0.decode(column: "patient_scope", as: String.self) }
    }

    /// Stores a new resource, or a new version of an existing one (the old version goes to the history).
    /// A new resource becomes visible to the patient at `availableAt` (nil: held until released); a new
    /// version keeps the release state of the one it replaces.
    public func save(_ resource: StoredResource, index: FHIRIndexFields, previous: StoredResource?, availableAt: Int64? = nil) async throws {
        let section = RecordSection.of(resourceType: resource.resourceType, category: index.category)?.rawValue
        if let previous {
            try await sql.raw("""
                INSERT INTO fhir_resource_versions (resource_type, id, version_id, last_updated, source, json)
                VALUES (\(bind: previous.resourceType), \(bind: previous.id), \(bind: previous.versionID),
                    \(bind: Clock.milliseconds(previous.lastUpdated)), \(bind: previous.source), \(bind: previous.json))
                """).run()
            try await sql.raw("""
                UPDATE fhir_resources SET version_id = \(bind: resource.versionID), last_updated = \(bind: Clock.milliseconds(resource.lastUpdated)),
                    source = \(bind: resource.source), section = \(bind: section), category = \(bind: index.category), status = \(bind: index.status),
                    encounter_ref = \(bind: index.encounterReference), effective_start = \(bind: index.effective?.lowerBound),
                    effective_end = \(bind: index.effective?.upperBound), json = \(bind: resource.json)
                WHERE resource_type = \(bind: resource.resourceType) AND id = \(bind: resource.id)
                """).run()
            try await sql.raw("DELETE FROM fhir_resource_codes WHERE resource_type = \(bind: resource.resourceType) AND id = \(bind: resource.id)").run()
            try await insertCodes([(resource, index)])
        } else {
            try await insert([NewResource(resource, index: index, availableAt: availableAt)])
        }
    }

    /// Stores `json` as the next version of `stored`: `meta.versionId` one up and `meta.lastUpdated`
    /// `now`, re-indexed, with the old version kept in the history.
    public func saveNextVersion(of stored: StoredResource, _ json: JSONValue, at now: Date) async throws {
        var next = json
        next.set("meta", .object([("versionId", .string(String(stored.versionID + 1))), ("lastUpdated", .string(now.formatted(.iso8601)))]))
        try await save(
            StoredResource(resourceType: stored.resourceType, id: stored.id, scope: stored.scope, matchKey: stored.matchKey,
                           versionID: stored.versionID + 1, lastUpdated: now, source: stored.source, json: next.jsonText,
                           section: nil, availableAt: nil, openedAt: nil, category: nil),
            index: try FHIRIndexFields.read(next), previous: stored)
    }

    /// A resource not stored before, with what is indexed about it.
    public struct NewResource: Sendable {
        public let resource: StoredResource
        public let index: FHIRIndexFields
        /// When the patient may see it (nil: held until released).
        public let availableAt: Int64?
        /// When the patient opened it (nil: new to them; what they entered themselves never is).
        public let openedAt: Int64?
        public init(_ resource: StoredResource, index: FHIRIndexFields, availableAt: Int64?, openedAt: Int64? = nil) {
            self.resource = resource
            self.index = index
            self.availableAt = availableAt
            self.openedAt = openedAt
        }
    }

    /// Stores new resources with multi-row statements (an import sends them in batches): every
    /// statement is a round trip — on SQLite a hop to its thread — and one per row dominated imports.
    public func insert(_ batch: [NewResource]) async throws {
        for start in stride(from: 0, to: batch.count, by: 100) {
            let rows = batch[start..<min(start + 100, batch.count)].map { item -> SQLQueryString in
                let r = item.resource, index = item.index
                let section = RecordSection.of(resourceType: r.resourceType, category: index.category)?.rawValue
                return """
                    (\(bind: r.resourceType), \(bind: r.id), \(bind: r.scope), \(bind: r.matchKey), \(bind: r.versionID),
                    \(bind: Clock.milliseconds(r.lastUpdated)), \(bind: r.source), \(bind: section), \(bind: item.availableAt), \(bind: index.category),
                    \(bind: index.status), \(bind: index.encounterReference), \(bind: index.effective?.lowerBound), \(bind: index.effective?.upperBound),
                    \(bind: r.json), \(bind: item.openedAt))
                    """
            }
            try await sql.raw("""
                INSERT INTO fhir_resources (resource_type, id, patient_scope, match_key, version_id, last_updated, source,
                    section, available_at, category, status, encounter_ref, effective_start, effective_end, json, opened_at) VALUES
                """ + rows.joined(separator: ", ")).run()
        }
        try await insertCodes(batch.map { ($0.resource, $0.index) })
    }

    /// Current resources whose JSON mentions security labels, after `cursor` (type, id) in key order:
    /// for indexing labels of resources stored before labels were indexed (maintenance, once).
    public func labelled(after cursor: (type: String, id: String)?, limit: Int) async throws -> [StoredResource] {
        let (type, id) = cursor ?? ("", "")
        return try await sql.raw("""
            SELECT * FROM fhir_resources WHERE json LIKE '%"security"%'
            AND (resource_type > \(bind: type) OR (resource_type = \(bind: type) AND id > \(bind: id)))
            ORDER BY resource_type, id LIMIT \(bind: limit)
            """).all().map(Self.stored)
    }

    /// Adds the index codes of stored resources that are missing (the others stay as they are).
    public func addMissingCodes(_ items: [(StoredResource, FHIRIndexFields)]) async throws {
        try await insertCodes(items)
    }

    private func insertCodes(_ items: [(StoredResource, FHIRIndexFields)]) async throws {
        let rows = items.flatMap { resource, index in
            Set(index.codes).map { code -> SQLQueryString in
                """
                (\(bind: resource.resourceType), \(bind: resource.id), \(bind: resource.scope), \(bind: index.effective?.lowerBound),
                \(bind: code.system), \(bind: code.code), \(bind: code.display))
                """
            }
        }
        for start in stride(from: 0, to: rows.count, by: 500) {
            try await sql.raw("INSERT INTO fhir_resource_codes (resource_type, id, patient_scope, effective_start, system, code, display) VALUES "
                + rows[start..<min(start + 500, rows.count)].joined(separator: ", ") + " ON CONFLICT DO NOTHING").run()
        }
    }

    /// Earlier versions of a resource, oldest first.
    public func history(type: String, id: String) async throws -> [StoredResource] {
        try await sql.raw("""
            SELECT v.*, r.patient_scope, r.match_key, r.section, r.available_at, r.opened_at, r.category FROM fhir_resource_versions v
            JOIN fhir_resources r ON r.resource_type = v.resource_type AND r.id = v.id
            WHERE v.resource_type = \(bind: type) AND v.id = \(bind: id) ORDER BY v.version_id
            """).all().map(Self.stored)
    }

    /// Every resource of a patient's record that `visibility` allows, in a stable order (for `$everything` and exports).
    public func all(patient: PatientID, visibility: RecordVisibility) async throws -> [StoredResource] {
        try await sql.raw("""
            SELECT * FROM fhir_resources r WHERE r.patient_scope = \(bind: patient.description)\(visibility.sqlConditions(alias: "r"))
            ORDER BY r.resource_type, r.effective_start, r.id
            """).all().map(Self.stored).filter { visibility.allows($0) }
    }

    /// The patient's visits, newest first, that have at least one item of `section` recorded in them
    /// that `visibility` allows: what a list's visit filter offers, so no choice leads to
    /// an empty list. Each visit is checked through the visit index alone, not by reading its items:
    /// `|| ''` keeps SQLite (which plans without statistics) off the patient's indexes, which would
    /// read every item of the patient once per visit.
    public func visits(having section: RecordSection, patient: PatientID, visibility: RecordVisibility,
                       limit: Int) async throws -> [StoredResource] {
        try await sql.raw("""
            SELECT e.* FROM fhir_resources e WHERE e.patient_scope = \(bind: patient.description) AND e.resource_type = 'Encounter'\(visibility.sqlConditions(alias: "e"))
            AND EXISTS (SELECT 1 FROM fhir_resources o WHERE o.encounter_ref = 'Encounter/' || e.id AND o.section = \(bind: section.rawValue)
                AND o.patient_scope || '' = e.patient_scope AND (o.status IS NULL OR o.status <> 'entered-in-error')\(visibility.sqlConditions(alias: "o")))
            ORDER BY e.effective_start DESC, e.resource_type, e.id LIMIT \(bind: limit)
            """).all().map(Self.stored).filter { visibility.allows($0) }
    }

    /// One page of a patient's resources matching `query`, newest first.
    public func search(patient: PatientID, _ query: RecordQuery) async throws -> [StoredResource] {
        let patientScope = patient.description
        var sqlText: SQLQueryString
        if let code = query.code {
            // From the patient's rows of that code to their resources: the code index leads with the patient and ends
            // with the date, so one test's history reads that test's newest rows in order, and no others.
            sqlText = """
                SELECT r.* FROM fhir_resource_codes k JOIN fhir_resources r ON r.resource_type = k.resource_type AND r.id = k.id
                WHERE k.patient_scope = \(bind: patientScope) AND k.system = \(bind: query.codeSystem ?? "") AND k.code = \(bind: code)
                AND r.patient_scope = \(bind: patientScope)
                """
        } else {
            sqlText = "SELECT * FROM fhir_resources r WHERE r.patient_scope = \(bind: patientScope)"
        }
        func and(_ clause: String, _ value: some Encodable & Sendable) {
            sqlText.appendInterpolation(unsafeRaw: " AND \(clause) ")
            sqlText.appendInterpolation(bind: value)
        }
        if let type = query.resourceType { and("r.resource_type =", type) }
        if let section = query.section { and("r.section =", section.rawValue) }
        if let category = query.category { and("r.category =", category) }
        if let status = query.status {
            and("r.status =", status)
        } else {
            // Entered in error (a patient's deleted upload, a withdrawn entry) is no longer part of what the record shows.
            sqlText.appendInterpolation(unsafeRaw: " AND (r.status IS NULL OR r.status <> 'entered-in-error')")
        }
        if let from = query.from { and("r.effective_end >=", from) }
        if let to = query.to { and("r.effective_start <=", to) }
        if let encounter = query.encounterReference { and("r.encounter_ref =", encounter) }
        sqlText.appendInterpolation(query.visibility.sqlConditions(alias: "r"))
        if let patientProvided = query.patientProvided {
            sqlText.appendInterpolation(unsafeRaw: patientProvided ? " AND (r.source LIKE 'patient:%' OR r.source LIKE 'proxy:%')"
                                                                   : " AND r.source NOT LIKE 'patient:%' AND r.source NOT LIKE 'proxy:%'")
        }
        if let text = query.text?.trimmingCharacters(in: .whitespaces), !text.isEmpty {
            let pattern = "%" + text.lowercased().replacingOccurrences(of: "%", with: "").replacingOccurrences(of: "_", with: "") + "%"
            sqlText.appendInterpolation(unsafeRaw: " AND EXISTS (SELECT 1 FROM fhir_resource_codes c WHERE c.resource_type = r.resource_type AND c.id = r.id AND (LOWER(c.display) LIKE ")
            sqlText.appendInterpolation(bind: pattern)
            sqlText.appendInterpolation(unsafeRaw: " OR LOWER(c.code) LIKE ")
            sqlText.appendInterpolation(bind: pattern)
            // The pages name common tests in plain words; those words find them too.
            let plainMatches = TestNames.codes(matching: text)
            if !plainMatches.isEmpty {
                sqlText.appendInterpolation(unsafeRaw: " OR (c.system = ")
                sqlText.appendInterpolation(bind: TestNames.loinc)
                sqlText.appendInterpolation(unsafeRaw: " AND c.code IN (")
                sqlText.appendInterpolation(SQLList(plainMatches.map { SQLBind($0) }))
                sqlText.appendInterpolation(unsafeRaw: "))")
            }
            sqlText.appendInterpolation(unsafeRaw: "))")
        }
        // The same date either way; the code row's copy is the one its index is ordered by.
        sqlText.appendInterpolation(unsafeRaw: query.code == nil ? " ORDER BY r.effective_start DESC, r.resource_type, r.id LIMIT "
                                                                 : " ORDER BY k.effective_start DESC, r.resource_type, r.id LIMIT ")
        sqlText.appendInterpolation(bind: query.limit)
        sqlText.appendInterpolation(unsafeRaw: " OFFSET ")
        sqlText.appendInterpolation(bind: query.offset)
        return try await sql.raw(sqlText).all().map(Self.stored).filter { query.visibility.allows($0) }
    }

    /// Everything in a patient's record that belongs to one encounter and that `visibility` allows, by
    /// type then date. Found through the visit's index (`|| ''` keeps SQLite, which has no statistics,
    /// from walking every item of the patient).
    public func linked(patient: PatientID, encounterReference: String, visibility: RecordVisibility,
                       limit: Int = 500) async throws -> [StoredResource] {
        try await sql.raw("""
            SELECT * FROM fhir_resources r WHERE r.encounter_ref = \(bind: encounterReference) AND r.patient_scope || '' = \(bind: patient.description)
            \(visibility.sqlConditions(alias: "r")) ORDER BY r.resource_type, r.effective_start, r.id LIMIT \(bind: limit)
            """).all().map(Self.stored).filter { visibility.allows($0) }
    }

    /// The `patient_scope` column's value for whose record a resource is in ("" for shared resources).
    static func scope(_ patient: PatientID?) -> String { patient?.description ?? "" }

    /// Whose record a stored `patient_scope` names; nil for "" (shared).
    static func patient(scope: String) throws -> PatientID? {
        guard !scope.isEmpty else { return nil }
        guard let patient = PatientID(scope) else { throw DatabaseError.unexpectedResult("patient_scope") }
        return patient
    }

    static func stored(_ row: any SQLRow) throws -> StoredResource {
        StoredResource(
            resourceType: try row.decode(column: "resource_type", as: String.self), id: try row.decode(column: "id", as: String.self),
            scope: try row.decode(column: "patient_scope", as: String.self), matchKey: try row.decode(column: "match_key", as: String.self),
            versionID: try row.decode(column: "version_id", as: Int64.self),
            lastUpdated: Clock.date(try row.decode(column: "last_updated", as: Int64.self)),
            source: try row.decode(column: "source", as: String.self), json: try row.decode(column: "json", as: String.self),
            section: try row.decode(column: "section", as: String?.self).flatMap(RecordSection.init(rawValue:)),
            availableAt: try row.decode(column: "available_at", as: Int64?.self),
            openedAt: try row.decode(column: "opened_at", as: Int64?.self),
            category: row.contains(column: "category") ? try row.decode(column: "category", as: String?.self) : nil)
    }
}
