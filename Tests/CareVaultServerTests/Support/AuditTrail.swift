import CareVaultCore
import CareVaultStore
@testable import CareVaultServer
import SQLKit

/// What the audit log says was shown: each request that read a record is one event naming everything
/// it showed (`Type/id`).
enum AuditTrail {
    /// Every item named by events of `action` (of `patient`, on `basis`, when given), oldest event first.
    static func shown(_ env: AppEnvironment, action: AuditAction = .recordRead, patient: PatientID? = nil, basis: String? = nil,
                      type: String? = nil) async throws -> [String] {
        try await events(env, action: action, patient: patient, basis: basis).flatMap(\.entities)
            .filter { type == nil || $0.hasPrefix(type! + "/") }
    }

    /// The events of `action` (of `patient`, on `basis`, when given), oldest first.
    static func events(_ env: AppEnvironment, action: AuditAction? = nil, patient: PatientID? = nil, basis: String? = nil) async throws -> [AuditEvent] {
        try await env.database.read { sql in
            try await AuditLogRepository(sql, kind: env.database.kind).latest(limit: 100_000)
        }.reversed().map(\.event).filter { event in
            (action == nil || event.action == action) && (patient == nil || event.patient == patient) && (basis == nil || event.basis == basis)
        }
    }
}
