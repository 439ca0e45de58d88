import CareVaultCore
import CareVaultStore
import Synchronization

/// Group commit for audit events that are not part of another transaction (record views).
///
/// Concurrent callers queue their events; one flusher at a time appends everything queued in a single
/// transaction (one lock on the chain head, one multi-row insert) and then resumes those callers. A
/// caller returns only after its event is committed, so a response never goes out before its audit row.
final class AuditBatcher: Sendable {
    /// The most events one transaction appends (PostgreSQL allows 65,535 bound values; rows have 15).
    static let maxBatch = 1000

    private struct State {
        var queue: [(AuditEvent, CheckedContinuation<Void, any Error>)] = []
        var flushing = false
    }

    private let database: Database
    private let state = Mutex(State())

    init(database: Database) { self.database = database }

    func append(_ event: AuditEvent) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let startFlusher = state.withLock { state -> Bool in
                state.queue.append((event, continuation))
                if state.flushing { return false }
                state.flushing = true
                return true
            }
            if startFlusher { Task { await self.flush() } }
        }
    }

    private func flush() async {
        while true {
            let batch = state.withLock { state -> [(AuditEvent, CheckedContinuation<Void, any Error>)] in
                let taken = Array(state.queue.prefix(Self.maxBatch))
                state.queue.removeFirst(taken.count)
                if taken.isEmpty { state.flushing = false }
                return taken
            }
            if batch.isEmpty { return }
            do {
                try await database.write { sql in
                    try await AuditLogRepository(sql, kind: database.kind).append(contentsOf: batch.map(\.0))
                }
                batch.forEach { $0.1.resume() }
            } catch {
                batch.forEach { $0.1.resume(throwing: error) }
            }
        }
    }
}
