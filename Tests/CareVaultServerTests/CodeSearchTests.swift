import CareVaultCore
@testable import CareVaultServer
import CareVaultStore
import Foundation
import SQLKit
import Testing

/// Searches by code (one test's history, one kind of home reading) read the patient's rows of that
/// code through an index that leads with the patient.
@Suite("Search by code")
struct CodeSearchTests {
    static let heartRate = (system: "http://loinc.org", code: "8867-4")

    /// Inserts an Observation and its code row the way the schema before migration 9 kept them.
    static func insertBeforeMigration9(_ sql: any SQLDatabase, id: String, patient: String, code: String, date: Int64 = 10) async throws {
        try await sql.raw("""
            INSERT INTO fhir_resources (resource_type, id, patient_scope, match_key, version_id, last_updated, source, json, available_at,
                effective_start, effective_end)
            VALUES ('Observation', \(bind: id), \(bind: patient), \(bind: "k-\(id)"), 1, 5, 'test', '{}', 5, \(bind: date), \(bind: date))
            """).run()
        try await sql.raw("""
            INSERT INTO fhir_resource_codes (resource_type, id, system, code, display)
            VALUES ('Observation', \(bind: id), \(bind: heartRate.system), \(bind: code), 'Heart rate')
            """).run()
    }

    /// Two patients' ids (stored ids are UUIDs; record reads take nothing else).
    static let p = "00000000-0000-4000-8000-00000000000a", q = "00000000-0000-4000-8000-00000000000b"

    @Test("Migration 9 gives every stored code its patient and date: a search by code finds that patient's rows, newest first, and no one else's",
          arguments: testDatabases)
    func backfill(kind: DatabaseKind) async throws {
        try await TestApp.withDatabase(kind, migratedTo: 8) { database in
            try await database.write { sql in
                try await Self.insertBeforeMigration9(sql, id: "p-hr", patient: Self.p, code: Self.heartRate.code)
                try await Self.insertBeforeMigration9(sql, id: "p-hr-newer", patient: Self.p, code: Self.heartRate.code, date: 30)
                try await Self.insertBeforeMigration9(sql, id: "p-hr-older", patient: Self.p, code: Self.heartRate.code, date: 1)
                try await Self.insertBeforeMigration9(sql, id: "p-other", patient: Self.p, code: "29463-7")
                try await Self.insertBeforeMigration9(sql, id: "q-hr", patient: Self.q, code: Self.heartRate.code)
            }
            #expect(try await TestApp.migrate(database, to: 9) == [9])
            let query = RecordQuery(resourceType: "Observation", codeSystem: Self.heartRate.system, code: Self.heartRate.code)
            var newestTwo = query
            newestTwo.limit = 2
            let found = try await database.read { sql in
                (p: try await FHIRResourceRepository(sql).search(patientScope: Self.p, query).map(\.id),
                 q: try await FHIRResourceRepository(sql).search(patientScope: Self.q, query).map(\.id),
                 newest: try await FHIRResourceRepository(sql).search(patientScope: Self.p, newestTwo).map(\.id),
                 dates: try await sql.raw("SELECT id, effective_start FROM fhir_resource_codes WHERE patient_scope = \(bind: Self.p) ORDER BY id").all().map {
                     "\(try $0.decode(column: "id", as: String.self))=\(try $0.decode(column: "effective_start", as: Int64?.self) ?? -1)"
                 })
            }
            #expect(found.p == ["p-hr-newer", "p-hr", "p-hr-older"])
            #expect(found.newest == ["p-hr-newer", "p-hr"])
            #expect(found.dates == ["p-hr=10", "p-hr-newer=30", "p-hr-older=1", "p-other=10"])
            #expect(found.q == ["q-hr"])
        }
    }
}
