import CareVaultCore
import Foundation
import SQLKit

/// A patient's contribution and where it stands with the care team.
public struct ReviewItem: Sendable, Equatable {
    /// What kind of contribution it is.
    public enum Kind: String, Sendable, CaseIterable {
        case upload, reading, allergy, medication, condition

        /// "Uploaded file", as the queue lists it.
        public var title: String {
            switch self {
            case .upload: "Uploaded file"
            case .reading: "Home reading"
            case .allergy: "Allergy the patient reported"
            case .medication: "Medicine the patient takes"
            case .condition: "Condition the patient reported"
            }
        }
    }

    public let id: String
    public let patient: PatientID
    public let resourceType: String
    public let resourceID: String
    public let kind: Kind
    /// Whether it waits in the clinicians' queue (readings in the usual range do not).
    public let queued: Bool
    /// Why it is queued, when that is more than "new" (a reading outside the attention range).
    public let reason: String?
    public let status: ReviewStatus
    /// The clinician's comment when returned.
    public let comment: String?
    public let submittedBy: AccountID?
    public let submittedAt: Date
    public let updatedAt: Date
    public let reviewerName: String?
    public let reviewedAt: Date?

    public init(id: String = UUID().uuidString.lowercased(), patient: PatientID, resourceType: String, resourceID: String, kind: Kind, queued: Bool,
                reason: String? = nil, status: ReviewStatus = .submitted, comment: String? = nil, submittedBy: AccountID?, submittedAt: Date,
                updatedAt: Date? = nil, reviewerName: String? = nil, reviewedAt: Date? = nil) {
        self.id = id
        self.patient = patient
        self.resourceType = resourceType
        self.resourceID = resourceID
        self.kind = kind
        self.queued = queued
        self.reason = reason
        self.status = status
        self.comment = comment
        self.submittedBy = submittedBy
        self.submittedAt = submittedAt
        self.updatedAt = updatedAt ?? submittedAt
        self.reviewerName = reviewerName
        self.reviewedAt = reviewedAt
    }
}

/// The `review_items` table: the clinicians' review queue and each contribution's status.
public struct ReviewRepository: Sendable {
    private let sql: any SQLDatabase

    public init(_ sql: any SQLDatabase) { self.sql = sql }

    public func insert(_ items: [ReviewItem]) async throws {
        for start in stride(from: 0, to: items.count, by: 200) {
            let chunk = items[start..<min(start + 200, items.count)]
            var query = SQLQueryString("""
                INSERT INTO review_items (id, patient_id, resource_type, resource_id, kind, queued, reason, status, submitted_by, submitted_at, updated_at) VALUES
                """)
            for (i, item) in chunk.enumerated() {
                query.appendInterpolation(unsafeRaw: i == 0 ? " (" : ", (")
                query.appendInterpolation(binds: [item.id, item.patient.description, item.resourceType, item.resourceID, item.kind.rawValue] as [String])
                query.appendInterpolation(unsafeRaw: ", ")
                query.appendInterpolation(bind: item.queued ? 1 : 0)
                query.appendInterpolation(unsafeRaw: ", ")
                query.appendInterpolation(bind: item.reason)
                query.appendInterpolation(unsafeRaw: ", ")
                query.appendInterpolation(bind: item.status.rawValue)
                query.appendInterpolation(unsafeRaw: ", ")
                query.appendInterpolation(bind: item.submittedBy?.description)
                query.appendInterpolation(unsafeRaw: ", ")
                query.appendInterpolation(bind: Clock.milliseconds(item.submittedAt))
                query.appendInterpolation(unsafeRaw: ", ")
                query.appendInterpolation(bind: Clock.milliseconds(item.updatedAt))
                query.appendInterpolation(unsafeRaw: ")")
            }
            try await sql.raw(query).run()
        }
    }

    /// An item waiting in (or decided from) the queue of `organization`; nil for another organization's.
    public func find(id: String, organization: String) async throws -> ReviewItem? {
        try await sql.raw("""
            SELECT v.* FROM review_items v JOIN patients p ON p.id = v.patient_id
            WHERE v.id = \(bind: id) AND p.organization_id = \(bind: organization)
            """).first().map(Self.item)
    }

    /// The item for one resource in the patient's record, if the patient contributed it.
    public func find(resourceType: String, resourceID: String, patient: PatientID) async throws -> ReviewItem? {
        try await sql.raw("""
            SELECT * FROM review_items WHERE resource_type = \(bind: resourceType) AND resource_id = \(bind: resourceID)
            AND patient_id = \(bind: patient.description)
            """).first().map(Self.item)
    }

    /// The items for these resources of one patient, by resource id.
    ///
    /// Found by resource (one seek per id in the unique index); the patient is checked on each row
    /// found, not in the statement, where SQLite's planner chose the patient index instead and read
    /// every item the patient ever submitted to show a page of 25.
    public func items(resourceType: String, ids: [String], patient: PatientID) async throws -> [String: ReviewItem] {
        guard !ids.isEmpty else { return [:] }
        var found: [String: ReviewItem] = [:]
        for start in stride(from: 0, to: ids.count, by: 500) {
            for row in try await sql.raw("""
                SELECT * FROM review_items WHERE resource_type = \(bind: resourceType)
                AND resource_id IN (\(binds: Array(ids[start..<min(start + 500, ids.count)])))
                """).all() {
                let item = try Self.item(row)
                if item.patient == patient { found[item.resourceID] = item }
            }
        }
        return found
    }

    /// A queued item, with whose record it is in.
    public struct QueueEntry: Sendable {
        public let item: ReviewItem
        public let patientName: String
        public let mrn: String
    }

    /// The open queued items of an organization's patients, oldest first.
    public func queue(organization: String, limit: Int, offset: Int) async throws -> [QueueEntry] {
        try await sql.raw("""
            SELECT v.*, p.given_name, p.family_name, p.mrn FROM review_items v JOIN patients p ON p.id = v.patient_id
            WHERE v.queued = 1 AND v.status IN ('submitted', 'under-review') AND p.organization_id = \(bind: organization)
            ORDER BY v.submitted_at, v.id LIMIT \(bind: limit) OFFSET \(bind: offset)
            """).all().map { row in
            QueueEntry(item: try Self.item(row),
                       patientName: "\(try row.string("given_name")) \(try row.string("family_name"))", mrn: try row.string("mrn"))
        }
    }

    /// Moves one of `patient`'s items to `status` if it is still in `from` (so two clinicians cannot both decide it);
    /// returns the item as it now is, or nil if it had moved on.
    public func move(id: String, patient: PatientID, from: ReviewStatus, to status: ReviewStatus, comment: String?, reviewer: (id: AccountID, name: String)?,
                     at time: Date) async throws -> ReviewItem? {
        let now = Clock.milliseconds(time)
        let decidedAt: Int64? = [.reviewed, .accepted, .returned].contains(status) ? now : nil
        return try await sql.raw("""
            UPDATE review_items SET status = \(bind: status.rawValue), comment = \(bind: comment), updated_at = \(bind: now),
                reviewer_id = COALESCE(\(bind: reviewer?.id.description), reviewer_id), reviewer_name = COALESCE(\(bind: reviewer?.name), reviewer_name),
                reviewed_at = \(bind: decidedAt)
            WHERE id = \(bind: id) AND patient_id = \(bind: patient.description) AND status = \(bind: from.rawValue) RETURNING *
            """).first().map(Self.item)
    }

    static func item(_ row: any SQLRow) throws -> ReviewItem {
        guard let kind = ReviewItem.Kind(rawValue: try row.string("kind")), let status = ReviewStatus(rawValue: try row.string("status")) else {
            throw DatabaseError.unexpectedResult("review row")
        }
        return ReviewItem(
            id: try row.string("id"), patient: try row.id("patient_id"), resourceType: try row.string("resource_type"),
            resourceID: try row.string("resource_id"), kind: kind, queued: try row.int("queued") != 0,
            reason: try row.optionalString("reason"), status: status, comment: try row.optionalString("comment"),
            submittedBy: try row.optionalID("submitted_by"), submittedAt: try row.date("submitted_at"), updatedAt: try row.date("updated_at"),
            reviewerName: try row.optionalString("reviewer_name"), reviewedAt: try row.optionalDate("reviewed_at"))
    }
}
