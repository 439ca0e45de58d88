import CareVaultCore
import CareVaultStore
import Synchronization

/// Group commit for audit events that are not part of another transaction (record views).
///
/// Concurrent callers queue their events; one flusher at a time appends everything queued in a single
/// transaction (one lock on the chain head, one multi-row insert) and then resumes those callers. A
/// caller returns only after its event is committed, so a response never goes out before its audit row.
final class AuditBatcher: Sendable {
    /// Roughly the most events one transaction appends (a caller's events always go in together).
    static let maxBatch = 1000

    private struct State {
        /// Each caller's events, with the continuation that resumes it once they are committed.
        var queue: [([AuditEvent], CheckedContinuation<Void, any Error>)] = []
        var flushing = false
    }

    private let database: Database
    private let state = Mutex(State())

    init(database: Database) { self.database = database }

    func append(_ event: AuditEvent) async throws {
        try await append(contentsOf: [event])
    }

    /// Queues a caller's events (e.g. every resource of one page) and returns once all are committed.
    func append(contentsOf events: [AuditEvent]) async throws {
        guard !events.isEmpty else { return }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let startFlusher = state.withLock { state -> Bool in
                state.queue.append((events, continuation))
                if state.flushing { return false }
                state.flushing = true
                return true
            }
            if startFlusher { Task { await self.flush() } }
        }
    }

    private func flush() async {
        while true {
            let batch = state.withLock { state -> [([AuditEvent], CheckedContinuation<Void, any Error>)] in
                var count = 0
                let groups = state.queue.prefix { group in
                    defer { count += group.0.count }
                    return count < Self.maxBatch
                }
                let taken = Array(groups)
                state.queue.removeFirst(taken.count)
                if taken.isEmpty { state.flushing = false }
                return taken
            }
            if batch.isEmpty { return }
            do {
                try await database.write { sql in
                    _ = try await AuditLogRepository(sql, kind: database.kind).append(contentsOf: batch.flatMap(\.0))
                }
                batch.forEach { $0.1.resume() }
            } catch {
                batch.forEach { $0.1.resume(throwing: error) }
            }
        }
    }
}
