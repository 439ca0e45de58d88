import CareVaultCore
import CareVaultStore
import Foundation

/// Erases the bytes of uploads deleted longer ago than the retention period an administrator set;
/// the upload row (and the audit trail) stays. Runs at start-up and then every hour.
struct UploadRetention: Sendable {
    let env: AppEnvironment

    /// How many days a deleted upload keeps its bytes (set by an administrator).
    func days() async throws -> Int {
        try await env.database.read { try await SettingsRepository($0).uploadRetentionDays() }
    }

    /// Sets the retention period (audited), then erases what the new period makes due.
    func setDays(_ days: Int, by admin: Account, info: RequestInfo) async throws {
        try await env.database.write { sql in
            try await SettingsRepository(sql).set(SettingsRepository.uploadRetentionDays, to: String(days), by: admin.id, at: Date())
            try await env.audit.record(AuditEvent(.retentionChanged, info: info, actor: admin, resourceType: "Setting",
                                                  resourceID: "\(SettingsRepository.uploadRetentionDays)=\(days)"), on: sql)
        }
        try await sweep()
    }

    /// Erases what is due now; returns how many uploads lost their bytes.
    @discardableResult
    func sweep(now: Date = Date()) async throws -> Int {
        let days = try await days()
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
