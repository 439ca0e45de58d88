import CareVaultCore
import Foundation
import SQLKit

/// The release workflow's storage: rules per section, held items, releases, and what the patient has opened.
public struct RecordReleaseRepository: Sendable {
    /// Items the patient cannot see yet, counted per section.
    public struct Pending: Sendable, Equatable {
        public let section: RecordSection
        public let count: Int
        /// When the next delayed item becomes visible; nil when all of them wait for a clinician.
        public let nextRelease: Int64?
        /// How many wait for a clinician (no release time yet).
        public let awaitingReview: Int
    }

    /// One held item in the staff release queue.
    public struct HeldItem: Sendable {
        public let resource: StoredResource
        public let patientName: String
        public let mrn: String
    }

    private let sql: any SQLDatabase

    public init(_ sql: any SQLDatabase) { self.sql = sql }

    /// Every section's rule; sections without a row release immediately.
    public func rules() async throws -> [RecordSection: ReleaseRule] {
        var result: [RecordSection: ReleaseRule] = [:]
        for row in try await sql.raw("SELECT section, rule, delay_hours FROM release_rules").all() {
            guard let section = RecordSection(rawValue: try row.decode(column: "section", as: String.self)),
                  let rule = ReleaseRule(storedName: try row.decode(column: "rule", as: String.self),
                                         delayHours: try row.decode(column: "delay_hours", as: Int?.self))
            else { continue }
            result[section] = rule
        }
        return result
    }

    public func setRule(_ rule: ReleaseRule, for section: RecordSection, by account: String, at time: Int64) async throws {
        try await sql.raw("DELETE FROM release_rules WHERE section = \(bind: section.rawValue)").run()
        try await sql.raw("""
            INSERT INTO release_rules (section, rule, delay_hours, updated_at, updated_by)
            VALUES (\(bind: section.rawValue), \(bind: rule.storedName), \(bind: rule.delayHours), \(bind: time), \(bind: account))
            """).run()
    }

    /// What a patient cannot see yet at `time`, per section (counts and timing only, never contents), of
    /// what `visibility` would show once released (a hidden category is not even counted).
    ///
    /// "Held, or released after `time`" is written as migration 10's indexed expression, so the
    /// statement seeks just those items instead of walking all of the patient's.
    public func pending(patient: PatientID, visibility: RecordVisibility, at time: Int64) async throws -> [Pending] {
        try await sql.raw("""
            SELECT section, COUNT(*) AS n, MIN(available_at) AS next_release,
                SUM(CASE WHEN available_at IS NULL THEN 1 ELSE 0 END) AS awaiting
            FROM fhir_resources r
            WHERE patient_scope = \(bind: patient.description) AND \(unsafeRaw: M010ReleaseIndex.releaseTime) > \(bind: time)
                AND section IS NOT NULL\(visibility.sqlConditions(alias: "r", release: false))
            GROUP BY section ORDER BY section
            """).all().compactMap { row in
            guard let section = RecordSection(rawValue: try row.decode(column: "section", as: String.self)) else { return nil }
            return Pending(section: section, count: Int(try row.decode(column: "n", as: Int64.self)),
                           nextRelease: try row.decode(column: "next_release", as: Int64?.self),
                           awaitingReview: Int(try row.decode(column: "awaiting", as: Int64?.self) ?? 0))
        }
    }

    /// Items held for a clinician's release, oldest first, across the patients of an organization.
    public func held(organization: String, limit: Int, offset: Int) async throws -> [HeldItem] {
        try await sql.raw("""
            SELECT r.*, p.given_name, p.family_name, p.mrn FROM fhir_resources r JOIN patients p ON p.id = r.patient_scope
            WHERE r.available_at IS NULL AND r.section IS NOT NULL AND p.organization_id = \(bind: organization)
            ORDER BY r.last_updated, r.resource_type, r.id LIMIT \(bind: limit) OFFSET \(bind: offset)
            """).all().map { row in
            HeldItem(resource: try FHIRResourceRepository.stored(row),
                     patientName: "\(try row.decode(column: "given_name", as: String.self)) \(try row.decode(column: "family_name", as: String.self))",
                     mrn: try row.decode(column: "mrn", as: String.self))
        }
    }

    /// Releases held items of an organization's patients now; returns the ones actually released
    /// (an id that is unknown, of another organization or already released is skipped).
    public func release(_ items: [(type: String, id: String)], organization: String, at time: Int64) async throws -> [StoredResource] {
        var released: [StoredResource] = []
        for item in items {
            let rows = try await sql.raw("""
                UPDATE fhir_resources SET available_at = \(bind: time)
                WHERE resource_type = \(bind: item.type) AND id = \(bind: item.id) AND available_at IS NULL
                    AND patient_scope IN (SELECT id FROM patients WHERE organization_id = \(bind: organization))
                RETURNING *
                """).all()
            released += try rows.map(FHIRResourceRepository.stored)
        }
        return released
    }

    /// Records that the patient opened these items (their "new" badge goes).
    /// One statement per kind of resource (a page shows one or two), not one per item.
    public func markOpened(_ items: [(type: String, id: String)], patient: PatientID, at time: Int64) async throws {
        for (type, group) in Dictionary(grouping: items, by: \.type) {
            let ids = group.map(\.id)
            for start in stride(from: 0, to: ids.count, by: 500) {
                try await sql.raw("""
                    UPDATE fhir_resources SET opened_at = \(bind: time)
                    WHERE resource_type = \(bind: type) AND id IN (\(binds: Array(ids[start..<min(start + 500, ids.count)])))
                        AND patient_scope = \(bind: patient.description) AND opened_at IS NULL
                    """).run()
            }
        }
    }

    /// How many items of each section that `visibility` allows the patient has not opened yet.
    public func unopened(patient: PatientID, visibility: RecordVisibility) async throws -> [RecordSection: Int] {
        var result: [RecordSection: Int] = [:]
        for row in try await sql.raw("""
            SELECT section, COUNT(*) AS n FROM fhir_resources r WHERE patient_scope = \(bind: patient.description) AND section IS NOT NULL
                AND opened_at IS NULL AND available_at IS NOT NULL\(visibility.sqlConditions(alias: "r")) GROUP BY section
            """).all() {
            if let section = RecordSection(rawValue: try row.decode(column: "section", as: String.self)) {
                result[section] = Int(try row.decode(column: "n", as: Int64.self))
            }
        }
        return result
    }
}
