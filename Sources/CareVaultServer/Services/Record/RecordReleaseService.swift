import CareVaultCore
import CareVaultStore
import Foundation

/// The release workflow: what is held for a clinician's sign-off, releasing it to patients, and the
/// rules that decide per section when new items become visible. Callers have been allowed
/// ``OrganizationAction/releaseRecords`` (the queue) or ``Action/configureRelease`` (the rules).
struct RecordReleaseService: Sendable {
    let env: AppEnvironment

    /// One page of the organization's held items, oldest first (one more than `limit` when there is a next page).
    func held(organization: OrganizationID, limit: Int, offset: Int) async throws -> [RecordReleaseRepository.HeldItem] {
        try await env.database.read {
            try await RecordReleaseRepository($0).held(organization: organization.description, limit: limit + 1, offset: offset)
        }
    }

    /// Releases the chosen items that are held for patients of `organization` (others are ignored),
    /// auditing each against its patient in the same transaction. Returns what was released.
    func release(_ items: [(type: String, id: String)], organization: OrganizationID, by clinician: Account, basis: Basis,
                 info: RequestInfo) async throws -> [StoredResource] {
        let now = Date()
        return try await env.database.write { sql in
            let released = try await RecordReleaseRepository(sql).release(items, organization: organization.description, at: Clock.milliseconds(now))
            try await env.audit.record(contentsOf: released.map { resource in
                AuditEvent(.recordReleased, info: info, actor: clinician, patient: resource.patient,
                           resourceType: resource.resourceType, resourceID: resource.id, basis: basis.description)
            }, on: sql)
            return released
        }
    }

    /// Each section's release rule (a section with none is released at once).
    func rules() async throws -> [RecordSection: ReleaseRule] {
        try await env.database.read { try await RecordReleaseRepository($0).rules() }
    }

    /// Stores the rules that changed, each change audited.
    func setRules(_ chosen: [(RecordSection, ReleaseRule)], by admin: Account, info: RequestInfo) async throws {
        let now = Clock.milliseconds(Date())
        try await env.database.write { sql in
            let repository = RecordReleaseRepository(sql)
            let before = try await repository.rules()
            for (section, rule) in chosen where (before[section] ?? .immediately) != rule {
                try await repository.setRule(rule, for: section, by: admin.id.description, at: now)
                try await env.audit.record(AuditEvent(.releaseRuleChanged, info: info, actor: admin,
                                                      resourceType: "ReleaseRule", resourceID: "\(section.rawValue):\(rule.storedName)"), on: sql)
            }
        }
    }
}
