import CareVaultCore
import CareVaultStore
import Foundation

/// One patient's record, opened for one request by ``RecordDoor`` after the policy's permit. It knows
/// who is reading, on what basis, and what they may see; every read goes through ``read(_:)``, whose
/// reader carries that visibility into every query, and everything shown is named with ``shown(_:)``
/// for the request's one audit event.
struct PatientRecord: Sendable {
    let patient: Patient
    let basis: Basis
    /// What the policy permitted on this record for this request: only a write action opens ``write(_:)``.
    let action: Action
    /// What this reader may see, derived once from the basis.
    let visibility: RecordVisibility
    /// Who is reading (nil: an operator at the command line, who may do nothing more than this read).
    let actor: Actor?
    /// The time the record was opened (milliseconds since 1970): the release bound of this request.
    let now: Int64
    private let env: AppEnvironment
    private let audit: RecordAccessAudit

    init(patient: Patient, basis: Basis, action: Action, visibility: RecordVisibility, actor: Actor?, now: Int64, env: AppEnvironment,
         audit: RecordAccessAudit) {
        self.patient = patient
        self.basis = basis
        self.action = action
        self.visibility = visibility
        self.actor = actor
        self.now = now
        self.env = env
        self.audit = audit
    }

    /// The patient reading their own record.
    var isOwn: Bool { basis == .ownRecord }
    /// The path segment of this record in links.
    var scope: String { patient.id.description }

    /// Reads of this record, in one read transaction, limited to what this reader may see.
    /// (The release bound moves on to the time of each read: what this request itself just stored, and
    /// released, shows.)
    func read<T: Sendable>(_ body: @Sendable (PatientRecordReader) async throws -> T) async throws -> T {
        var visibility = visibility
        if let bound = visibility.releasedBy { visibility.release = .releasedBy(max(bound, Clock.milliseconds(Date()))) }
        let patient = patient.id
        return try await env.database.read { try await body(PatientRecordReader($0, patient: patient, visibility: visibility)) }
    }

    /// Writes to this record, in one write transaction whose writer refuses anything of another record.
    /// Only a record opened for a write (``Action/writeRecord``, ``Action/contributeToRecord``) writes;
    /// one opened to read throws ``PatientRecordError/readOnly``.
    func write<T: Sendable>(_ body: @Sendable (PatientRecordWriter) async throws -> T) async throws -> T {
        guard action.isWrite else { throw PatientRecordError.readOnly }
        let (patient, kind) = (patient.id, env.database.kind)
        return try await env.database.write { try await body(PatientRecordWriter($0, kind: kind, patient: patient)) }
    }

    /// Names what this request showed or sent, for its audit event.
    func shown(_ resources: [StoredResource]) {
        audit.shown(resources.map { "\($0.resourceType)/\($0.id)" })
    }

    /// Names what this request showed or sent, by type and id.
    func shown(_ references: [(type: String, id: String)]) {
        audit.shown(references.map { "\($0.type)/\($0.id)" })
    }

    /// Whether this reader may also do `other` on this record (to offer a link to it, say).
    func allows(_ other: Action) -> Bool {
        actor.map { AuthorizationPolicy.decide($0, other, patient: patient.scope).isPermitted } ?? false
    }

    /// The patient opened these items: their "new" marks go. Only the patient's own reading counts.
    func markOpened(_ items: [(type: String, id: String)]) async throws {
        guard isOwn, !items.isEmpty else { return }
        let (patient, now) = (patient.id, now)
        try await env.database.write { try await RecordReleaseRepository($0).markOpened(items, patient: patient, at: now) }
    }
}

/// Why a ``PatientRecord`` refused.
enum PatientRecordError: Error {
    /// A write through a record opened only to read.
    case readOnly
}
