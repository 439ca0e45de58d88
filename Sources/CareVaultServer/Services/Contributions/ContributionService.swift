import CareVaultCore
import CareVaultStore
import Foundation

/// Stores what a patient (or someone acting for them) adds to their own record — home readings,
/// allergies, medicines, conditions — as FHIR resources marked as patient-provided: a Provenance
/// names who provided them, each gets a review item for the care team, and each is audited, all in
/// one transaction (so a batch is stored whole or not at all).
struct ContributionService: Sendable {
    let env: AppEnvironment

    /// One resource to add, and how the care team should see it.
    struct Contribution: Sendable {
        let json: JSONValue
        let resourceType: String
        let id: String
        let kind: ReviewItem.Kind
        /// Whether it goes to the review queue (readings only when outside the attention range).
        let queued: Bool
        let reason: String?
    }

    /// The stored source for what this account adds on this basis (`patient:…` or `proxy:…`).
    static func source(account: Account, basis: Basis) -> String {
        basis == .ownRecord ? RecordOrigin.source(forPatient: account.id.description) : RecordOrigin.source(forProxy: account.id.description)
    }

    /// The reference of who provided it: the patient themself, or (for a proxy) their account by name.
    static func performer(in record: PatientRecord, account: Account) -> JSONValue {
        record.isOwn ? .object([("reference", .string("Patient/\(record.patient.id)"))]) : .object([("display", .string(account.displayName))])
    }

    /// A checked home reading as the record stores it and the care team reviews it (queued only when
    /// outside the attention range).
    static func reading(_ reading: Reading, in record: PatientRecord, account: Account) -> Contribution {
        let id = UUID().uuidString.lowercased()
        let patient = record.patient.id
        var json = ReadingObservation.json(reading, id: id, patient: patient.description, performer: "Patient/\(patient)",
                                           recorded: Date().formatted(.iso8601))
        json.set("performer", .array([performer(in: record, account: account)]))
        let reason = reading.attentionReason
        return .init(json: json, resourceType: "Observation", id: id, kind: .reading, queued: reason != nil, reason: reason)
    }

    /// Stores `items` in `record` as added by `account`, whole or not at all.
    func record(_ items: [Contribution], in record: PatientRecord, by account: Account, info: RequestInfo, action: AuditAction,
                activity: String) async throws {
        guard !items.isEmpty else { return }
        let now = Date()
        let (patient, basis) = (record.patient, record.basis)
        let source = Self.source(account: account, basis: basis)
        let provenance = ProvenanceRecord(targets: items.map { "\($0.resourceType)/\($0.id)" }, recorded: now, activity: .contributed(activity),
                                          agent: record.isOwn ? .patient(patient.id) : .proxy(displayName: account.displayName))
        let resources = try (items.map { ($0.json, $0.resourceType, $0.id) } + [(provenance.json, "Provenance", provenance.id)]).map { json, type, id in
            FHIRResourceRepository.NewResource(
                StoredResource(resourceType: type, id: id, patient: patient.id, matchKey: "contributed:\(type):\(id)", versionID: 1,
                               lastUpdated: now, source: source, json: json.jsonText),
                index: try FHIRIndexFields.read(json), availableAt: Clock.milliseconds(now),
                // Not "new" to the patient who entered it; what a proxy enters is.
                openedAt: record.isOwn ? Clock.milliseconds(now) : nil)
        }
        let reviews = items.map { item in
            ReviewItem(patient: patient.id, resourceType: item.resourceType, resourceID: item.id, kind: item.kind, queued: item.queued,
                       reason: item.reason, submittedBy: account.id, submittedAt: now)
        }
        let events = items.map { item in
            AuditEvent(action, info: info, actor: account, patient: patient.id, resourceType: item.resourceType, resourceID: item.id,
                       basis: basis.description)
        }
        try await record.write { writer in
            try await writer.insert(resources)
            try await writer.insert(reviews: reviews)
            try await writer.audit(events)
        }
    }
}
