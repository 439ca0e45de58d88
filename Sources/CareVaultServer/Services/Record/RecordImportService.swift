import CareVaultCore
import CareVaultStore
import Foundation

/// Imports FHIR R4 bundles into patients' records.
///
/// Each bundle is one transaction: on any invalid entry nothing from it is stored. The bundle's
/// patient is matched by patient ID — system and value, the identifier typed MR or the one in the
/// organization's named system — or created. A match whose name or birth date differ is refused
/// whole unless a clinician confirmed it is the same person (``ImportPatientMismatch``). Resources seen before (same identifier or
/// original id) keep their CareVault id; a changed one becomes a new version, an unchanged one is left
/// alone, so importing the same data twice changes nothing. Each import adds a Provenance naming its source.
public struct RecordImportService: Sendable {
    /// What one bundle did.
    public struct Summary: Sendable {
        public let patient: Patient
        public let patientCreated: Bool
        /// Resources per type in this bundle.
        public let counts: [String: Int]
        public let created: Int
        public let updated: Int
        public let unchanged: Int
        /// Elements R4 does not define, stored unchanged.
        public let unknownElements: [BundleImportPlan.UnknownElement]
        /// What a confirmed same-person import changed in the patient's details ("name: Ana Lima → Ana Souza").
        public var demographicChanges: [String] = []
        /// Nothing was stored: this is what the import would do (``Options/dryRun``).
        public var dryRun = false
    }

    /// How an import treats its bundles.
    public struct Options: Sendable {
        /// Patient IDs (values) a clinician confirmed belong to the same person as the existing record,
        /// though the name or birth date differ.
        public var samePerson: Set<String> = []
        /// Check everything and report what would happen, storing nothing.
        public var dryRun = false

        public init(samePerson: Set<String> = [], dryRun: Bool = false) {
            self.samePerson = samePerson
            self.dryRun = dryRun
        }
    }

    /// Carries a dry run's summary out of the transaction it rolls back.
    private struct DryRunRollback: Error { let summary: Summary }

    let env: AppEnvironment

    public init(env: AppEnvironment) { self.env = env }

    /// Imports a bundle held in memory (small ones; files go through ``importBundle(fileAt:source:into:by:info:)``).
    public func importBundle(_ data: some Collection<UInt8>, source: String, into organization: OrganizationID? = nil,
                             by actor: Account?, info: RequestInfo, options: Options = Options()) async throws -> Summary {
        let bundle: JSONValue
        do {
            bundle = try JSONParser.parse(data)
        } catch {
            throw BundleImportError(entry: nil, resourceType: nil, field: "JSON", message: error.description)
        }
        return try await importBundle(BundleImportPlan(bundle: bundle), source: source, into: organization, by: actor, info: info, options: options)
    }

    /// Imports a bundle file without reading it whole: the file is mapped, outlined, and its entries
    /// are parsed one at a time — once to check them, once more to store them.
    public func importBundle(fileAt path: String, source: String, into organization: OrganizationID? = nil,
                             by actor: Account?, info: RequestInfo, options: Options = Options()) async throws -> Summary {
        let file = try MappedBundleFile(path: path)
        return try await importBundle(BundleImportPlan(source: file), source: source, into: organization, by: actor, info: info, options: options)
    }

    /// Imports NDJSON files (Bulk Data style): one bundle per patient, each all-or-nothing.
    /// Throws before storing anything if a line cannot be read or names no patient in the files.
    public func importNDJSON(_ files: [(name: String, data: Data)], into organization: OrganizationID? = nil,
                             by actor: Account?, info: RequestInfo, options: Options = Options()) async throws -> [Summary] {
        let bundles: [(patientID: String, bundle: JSONValue)]
        do {
            bundles = try NDJSONGrouping.bundles(from: files)
        } catch let error as NDJSONGrouping.LineError {
            throw BundleImportError(entry: error.line, resourceType: nil, field: error.file, message: error.message)
        }
        let source = files.map(\.name).joined(separator: "+")
        var summaries: [Summary] = []
        for (_, bundle) in bundles {
            summaries.append(try await importBundle(BundleImportPlan(bundle: bundle), source: source, into: organization, by: actor, info: info,
                                                    options: options))
        }
        return summaries
    }

    func importBundle(_ plan: BundleImportPlan, source: String, into chosenOrganization: OrganizationID?,
                      by actor: Account?, info: RequestInfo, options: Options = Options()) async throws -> Summary {
        do {
            return try await store(plan, source: source, into: chosenOrganization, by: actor, info: info, options: options)
        } catch let rollback as DryRunRollback {
            return rollback.summary
        }
    }

    private func store(_ plan: BundleImportPlan, source: String, into chosenOrganization: OrganizationID?,
                       by actor: Account?, info: RequestInfo, options: Options) async throws -> Summary {
        let now = Date()
        let lastUpdated = now.formatted(.iso8601)  // once: each formatting builds ICU objects
        return try await env.database.write { sql in
            let patients = PatientRepository(sql)
            let rules = try await RecordReleaseRepository(sql).rules()
            let arrival = Clock.milliseconds(now)
            let organization = if let chosenOrganization { chosenOrganization } else { try await patients.defaultOrganization() }
            let match = try await PatientMatch.find(plan, organization: organization, samePerson: options.samePerson, in: patients, now: now)
            let patientCreated = match.created, patient = match.patient
            // From here on every write goes through a writer bound to the matched patient's record.
            let store = PatientRecordWriter(sql, kind: env.database.kind, patient: patient.id)
            if match.confirmedDespite != nil {
                try await store.audit([AuditEvent(.importMatchConfirmed, info: info, actor: actor, patient: match.patient.id,
                                                  resourceType: "Patient", resourceID: match.patient.id.description)])
            }
            let scope = patient.id.description

            // Ids: the patient's own record id for the Patient; the stored id for anything seen before; else new.
            let keys = plan.entries.map { entry in
                FHIRResourceRepository.MatchKey(type: entry.resourceType, patient: entry.isShared ? nil : patient.id,
                                                matchKey: entry.resourceType == "Patient" ? "patient" : entry.matchKey)
            }
            let known = try await store.find(matching: keys)
            let existing = keys.map { known[$0] }
            let ids = zip(plan.entries, existing).map { entry, found in
                entry.resourceType == "Patient" ? scope : (found?.id ?? UUID().uuidString.lowercased())
            }

            var created = 0, updated = 0, unchanged = 0
            var targets: [String] = []
            let references = plan.references(ids: ids)
            var pending: [FHIRResourceRepository.NewResource] = []
            for (i, entry) in plan.entries.enumerated() {
                let resource = try plan.resolvedResource(at: i, ids: ids, references: references)
                let previous = existing[i]
                var body = resource
                body.set("meta", Self.stripVersion(resource["meta"]))
                if let previous, let old = try? JSONParser.parse(previous.json) {
                    var oldBody = old
                    oldBody.set("meta", Self.stripVersion(old["meta"]))
                    if oldBody == body {
                        unchanged += 1
                        targets.append("\(entry.resourceType)/\(ids[i])")
                        continue
                    }
                }
                let version = (previous?.versionID ?? 0) + 1
                body.set("meta", Self.meta(body["meta"], version: version, lastUpdated: lastUpdated))
                let index: FHIRIndexFields
                do { index = try FHIRIndexFields.read(body) } catch let error as FHIRFieldError {
                    throw BundleImportError(entry: entry.index, resourceType: entry.resourceType, field: error.field, message: error.message)
                }
                let stored = StoredResource(
                    resourceType: entry.resourceType, id: ids[i], patient: entry.isShared ? nil : patient.id,
                    matchKey: entry.resourceType == "Patient" ? "patient" : entry.matchKey, versionID: version, lastUpdated: now,
                    source: "import:\(source)", json: body.jsonText)
                if let previous {
                    try await store.save(stored, index: index, previous: previous)
                    updated += 1
                } else {
                    // New resources go in batches: one statement per hundred rather than per resource.
                    pending.append(.init(stored, index: index, availableAt: Self.availableAt(entry.resourceType, index: index, rules: rules, arrival: arrival)))
                    if pending.count == 100 {
                        try await store.insert(pending)
                        pending.removeAll(keepingCapacity: true)
                    }
                    created += 1
                }
                targets.append("\(entry.resourceType)/\(ids[i])")
            }

            try await store.insert(pending)

            let record = ProvenanceRecord(targets: targets, recorded: now, activity: .imported, agent: .importer(source: source))
            let provenanceID = record.id, provenance = record.json
            try await store.save(StoredResource(
                resourceType: "Provenance", id: provenanceID, patient: patient.id, matchKey: "import:\(provenanceID)", versionID: 1,
                lastUpdated: now, source: "import:\(source)", json: provenance.jsonText),
                index: try FHIRIndexFields.read(provenance), previous: nil, availableAt: arrival)
            try await store.audit([AuditEvent(.recordImported, info: info, actor: actor, patient: patient.id,
                                              resourceType: "Provenance", resourceID: provenanceID)])
            let counts = Dictionary(plan.entries.map { ($0.resourceType, 1) }, uniquingKeysWith: +)
            var summary = Summary(patient: patient, patientCreated: patientCreated, counts: counts,
                                  created: created, updated: updated, unchanged: unchanged, unknownElements: plan.unknownElements)
            summary.demographicChanges = match.changes
            if options.dryRun {
                summary.dryRun = true
                throw DryRunRollback(summary: summary)  // rolls the transaction back: nothing stays
            }
            return summary
        }
    }

    /// When the patient may see a new resource: by its section's release rule; at once when it is not listed on its own.
    static func availableAt(_ type: String, index: FHIRIndexFields, rules: [RecordSection: ReleaseRule], arrival: Int64) -> Int64? {
        guard let section = RecordSection.of(resourceType: type, category: index.category) else { return arrival }
        return (rules[section] ?? .immediately).availableAt(arrival: arrival)
    }

    /// `meta` without the parts CareVault sets (so an unchanged resource compares equal).
    static func stripVersion(_ meta: JSONValue?) -> JSONValue {
        guard case .object(let members)? = meta else { return .object([]) }
        return .object(members.filter { $0.key != "versionId" && $0.key != "lastUpdated" })
    }

    static func meta(_ meta: JSONValue?, version: Int64, lastUpdated: String) -> JSONValue {
        var result = stripVersion(meta)
        result.set("versionId", .string(String(version)))
        result.set("lastUpdated", .string(lastUpdated))
        return result
    }
}
