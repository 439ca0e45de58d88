import CareVaultCore
import CareVaultStore
import Foundation

/// Writes audit events, either inside a caller's transaction (so the event and the change it
/// describes are stored together) or in a transaction of its own.
public struct AuditRecorder: Sendable {
    let database: Database
    let batcher: AuditBatcher

    public func record(_ event: AuditEvent, on sql: Database.DatabaseConnection) async throws {
        try await AuditLogRepository(sql, kind: database.kind).append(event)
    }

    /// Records events in the caller's transaction, chained in one append.
    public func record(contentsOf events: [AuditEvent], on sql: Database.DatabaseConnection) async throws {
        try await AuditLogRepository(sql, kind: database.kind).append(contentsOf: events)
    }

    /// Records an event in a transaction shared with other concurrent events (group commit);
    /// returns once it is committed.
    public func record(_ event: AuditEvent) async throws {
        try await batcher.append(event)
    }

    /// Records one audited read per resource of one patient's record shown or sent, group-committed together.
    /// (`action` is ``AuditAction/recordDownloaded`` for what leaves as a file.)
    func recordReads(_ resources: [(type: String, id: String)], patient: PatientID, actor: Account?, basis: Basis, info: RequestInfo,
                     action: AuditAction = .recordRead) async throws {
        try await recordReads(resources.map { (patient, $0.type, $0.id) }, actor: actor, basis: basis, info: info, action: action)
    }

    /// Records one audited read per resource shown or sent (of any patients), group-committed together.
    func recordReads(_ resources: [(patient: PatientID, type: String, id: String)], actor: Account?, basis: Basis, info: RequestInfo,
                     action: AuditAction = .recordRead) async throws {
        try await batcher.append(contentsOf: resources.map { resource in
            AuditEvent(action, info: info, actor: actor, patient: resource.patient,
                       resourceType: resource.type, resourceID: resource.id, basis: basis.description)
        })
    }
}

extension AuditEvent {
    /// An event with the request's origin filled in.
    init(_ action: AuditAction, info: RequestInfo, actor: Account? = nil, outcome: AuditOutcome = .success,
         patient: PatientID? = nil, subject: AccountID? = nil, resourceType: String? = nil, resourceID: String? = nil,
         basis: String? = nil, entities: [String] = []) {
        self.init(
            occurredAt: Date(), actorAccount: actor?.id, actorRole: actor?.role, patient: patient ?? actor?.patient,
            action: action, resourceType: resourceType, resourceID: resourceID, basis: basis, outcome: outcome,
            clientIP: info.clientIP, userAgent: info.userAgent, subjectAccount: subject, entities: entities
        )
    }
}
