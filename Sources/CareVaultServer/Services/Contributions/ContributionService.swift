import CareVaultCore
import CareVaultStore
import Foundation
import SQLKit

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
    static func performer(patient: Patient, account: Account, basis: Basis) -> JSONValue {
        basis == .ownRecord ? .object([("reference", .string("Patient/\(patient.id)"))])
            : .object([("display", .string(account.displayName))])
    }

    func record(_ items: [Contribution], patient: Patient, account: Account, basis: Basis, info: RequestInfo, action: AuditAction,
                activity: String) async throws {
        guard !items.isEmpty else { return }
        let now = Date()
        let scope = patient.id.description
        let source = Self.source(account: account, basis: basis)
        let provenance = ProvenanceRecord(targets: items.map { "\($0.resourceType)/\($0.id)" }, recorded: now, activity: .contributed(activity),
                                          agent: basis == .ownRecord ? .patient(patient.id) : .proxy(displayName: account.displayName))
        let resources = try (items.map { ($0.json, $0.resourceType, $0.id) } + [(provenance.json, "Provenance", provenance.id)]).map { json, type, id in
            FHIRResourceRepository.NewResource(
                StoredResource(resourceType: type, id: id, patientScope: scope, matchKey: "contributed:\(type):\(id)", versionID: 1,
                               lastUpdated: now, source: source, json: json.jsonText),
                index: try FHIRIndexFields.read(json), availableAt: Clock.milliseconds(now),
                // Not "new" to the patient who entered it; what a proxy enters is.
                openedAt: basis == .ownRecord ? Clock.milliseconds(now) : nil)
        }
        let reviews = items.map { item in
            ReviewItem(patient: patient.id, resourceType: item.resourceType, resourceID: item.id, kind: item.kind, queued: item.queued,
                       reason: item.reason, submittedBy: account.id, submittedAt: now)
        }
        let events = items.map { item in
            AuditEvent(action, info: info, actor: account, patient: patient.id, resourceType: item.resourceType, resourceID: item.id,
                       basis: basis.description)
        }
        try await env.database.write { sql in
            try await FHIRResourceRepository(sql).insert(resources)
            try await ReviewRepository(sql).insert(reviews)
            try await env.audit.record(contentsOf: events, on: sql)
        }
    }
}
