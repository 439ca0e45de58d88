import CareVaultCore
import CareVaultStore
import Foundation
import Synchronization

/// The one audit event of a request that opened a patient's record: who, for whom, on what basis,
/// and every item shown or sent, collected while the request runs and written once when it ends
/// (by ``RecordAuditMiddleware``, through the group commit) — one event naming 25 results, not 25 rows.
final class RecordAccessAudit: Sendable {
    /// What the door recorded when it opened the record.
    struct Opening: Sendable {
        let patient: PatientID
        /// The reader's account (nil: an operator at the command line).
        let reader: Account?
        let basis: Basis
        let action: AuditAction
        let target: ResourceRef
        let info: RequestInfo
    }

    private struct State {
        var opening: Opening?
        var entities: [String] = []
        var seen: Set<String> = []
        var written = false
    }

    private let state = Mutex(State())

    /// Called by the door: the record is open for this request. A request opens one record.
    func opened(_ opening: Opening) throws {
        try state.withLock { state in
            if let open = state.opening, open.patient != opening.patient || open.basis != opening.basis {
                throw RecordDoorError.secondRecordInOneRequest
            }
            if state.opening == nil { state.opening = opening }
        }
    }

    /// Items the request showed or sent (each named once, in order).
    func shown(_ references: [String]) {
        state.withLock { state in
            for reference in references where state.seen.insert(reference).inserted { state.entities.append(reference) }
        }
    }

    /// The request's event, once: nil when the record was not opened, or when a write request (whose
    /// own event, stored with its change, is the request's record) showed nothing.
    func takeEvent(outcome: AuditOutcome, isWriteRequest: Bool) -> AuditEvent? {
        state.withLock { state -> AuditEvent? in
            guard let opening = state.opening, !state.written else { return nil }
            state.written = true
            if isWriteRequest && state.entities.isEmpty && outcome == .success { return nil }
            return AuditEvent(opening.action, info: opening.info, actor: opening.reader, outcome: outcome, patient: opening.patient,
                              resourceType: opening.target.type, resourceID: opening.target.id, basis: opening.basis.description,
                              entities: state.entities)
        }
    }
}

/// A request that tried to open two records, or one on two bases (a programming error).
enum RecordDoorError: Error {
    case secondRecordInOneRequest
}
