import CareVaultCore
import CareVaultStore
import Foundation

/// The clinicians' review of what patients of their organization added: the queue, one item, and
/// moving an item on (under review, reviewed, accepted into the chart, returned to the patient).
/// Callers have been allowed ``OrganizationAction/reviewContributions`` for the organization; a move
/// writes through the patient's ``PatientRecord``, opened for ``Action/writeRecord``.
struct ReviewService: Sendable {
    let env: AppEnvironment

    /// One page of the queue, with a one-line summary of each item's resource.
    struct QueuePage: Sendable {
        let entries: [ReviewRepository.QueueEntry]
        /// "128/82 mmHg", a file's title, an allergy's name — by review item id.
        let summaries: [String: String]
        let hasMore: Bool
    }

    /// The organization's open queued items, oldest first. Each item shown is audited as a read of its
    /// patient's record on the care-team basis (an organization's list spans many records).
    func queue(_ permit: OrganizationPermit, page: Int, pageSize: Int, actor: Account, info: RequestInfo) async throws -> QueuePage {
        let organization = permit.organization
        let (entries, resources) = try await env.database.read { sql in
            let entries = try await ReviewRepository(sql).queue(organization: organization.description, limit: pageSize + 1, offset: page * pageSize)
            var resources: [String: StoredResource] = [:]
            for entry in entries.prefix(pageSize) {
                resources[entry.item.id] = try await FHIRResourceRepository(sql).findWhole(type: entry.item.resourceType, id: entry.item.resourceID)
            }
            return (entries, resources)
        }
        let shown = Array(entries.prefix(pageSize))
        try await env.audit.recordReads(shown.map { ($0.item.patient, $0.item.resourceType, $0.item.resourceID) }, actor: actor,
                                        basis: permit.basis, info: info)
        return QueuePage(entries: shown, summaries: resources.mapValues(Self.summary), hasMore: entries.count > pageSize)
    }

    /// The item with this id, if it belongs to a patient of `organization`.
    func item(_ id: String, organization: OrganizationID) async throws -> ReviewItem? {
        try await env.database.read { try await ReviewRepository($0).find(id: id, organization: organization.description) }
    }

    /// Moves the item (only if nobody moved it meanwhile; nil if they did) and, when accepting, records
    /// the verification in the chart (``ReviewVerification``). One transaction, audited.
    func move(_ item: ReviewItem, to status: ReviewStatus, comment: String?, in record: PatientRecord, by clinician: Account,
              info: RequestInfo, accepting resource: StoredResource? = nil) async throws -> ReviewItem? {
        let now = Date()
        let basis = record.basis
        return try await record.write { writer -> ReviewItem? in
            guard let moved = try await writer.move(item, to: status, comment: comment, reviewer: (clinician.id, clinician.displayName), at: now)
            else { return nil }
            if let resource {
                try await ReviewVerification.record(resource, by: clinician, at: now, with: writer)
            }
            try await writer.audit([AuditEvent(.reviewStatusChanged, info: info, actor: clinician, patient: item.patient,
                                               resourceType: item.resourceType, resourceID: "\(item.resourceID):\(status.rawValue)",
                                               basis: basis.description)])
            return moved
        }
    }

    /// "128/82 mmHg", a file's title, an allergy's name.
    static func summary(_ resource: StoredResource) -> String {
        guard let json = try? JSONParser.parse(resource.json) else { return resource.resourceType }
        if let point = ReadingObservation.point(from: json) { return "\(point.measure.title) \(point.display)" }
        // An upload's title is its description (its type says only what kind of paper it is).
        if resource.resourceType == "DocumentReference", let title = json["description"]?.stringValue { return title }
        return RecordEntry(resourceType: resource.resourceType, id: resource.id, json: json).name
    }
}
