import CareVaultCore
import CareVaultStore
import Foundation
import ServiceLifecycle

/// Erases the bytes of uploads deleted longer ago than the retention period an administrator set;
/// the upload row (and the audit trail) stays. Runs at start-up and then every hour.
struct UploadRetention: Sendable {
    let env: AppEnvironment

    /// Erases what is due now; returns how many uploads lost their bytes.
    @discardableResult
    func sweep(now: Date = Date()) async throws -> Int {
        let days = try await env.database.read { try await SettingsRepository($0).uploadRetentionDays() }
        let cutoff = now.addingTimeInterval(-Double(days) * 86_400)
        var erased = 0
        while true {
            let due = try await env.database.read { try await UploadRepository($0).dueForErasure(deletedBefore: cutoff, limit: 200) }
            if due.isEmpty { return erased }
            for upload in due {
                // The same bytes may back a live upload of the same file (stored once): keep them then.
                let stillUsed = try await env.database.read { try await UploadRepository($0).isBlobUsed(upload.blobID, byOtherThan: upload.id) }
                if !stillUsed {
                    try await UploadPreviewCache(env: env).erase(drawnFrom: upload.blobID)
                    try await env.blobStore.delete(id: upload.blobID)
                }
                try await env.database.write { sql in
                    try await UploadRepository(sql).markErased(id: upload.id, at: now)
                    try await env.audit.record(AuditEvent(patient: upload.patient, action: .uploadErased, resourceType: "DocumentReference",
                                                          resourceID: upload.documentID, basis: "retention:\(days)d"), on: sql)
                }
                erased += 1
            }
        }
    }
}

/// Runs ``UploadRetention`` every hour while the server runs (start-up runs it once first).
struct UploadRetentionService: Service {
    let retention: UploadRetention

    func run() async throws {
        while true {
            do { try await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(3600)) } } catch { return }
            do { try await retention.sweep() } catch {
                retention.env.logger.error("erasing deleted uploads failed", metadata: ["error": "\(type(of: error))"])
            }
        }
    }
}
