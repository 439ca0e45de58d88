import CareVaultCore
@testable import CareVaultServer
import CareVaultStore
import Foundation
import SQLKit
import Testing

/// Writes go through the record's door too: a writer made for one patient refuses everything of
/// another record, and a record opened to read cannot write at all.
@Suite("Writes to a patient's record")
struct RecordWriterTests {
    @Test("A writer for one patient reads, versions, reviews and audits nothing of another patient's record", arguments: testDatabases)
    func writerStaysInItsRecord(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { _, env in
            let mine = try await RecordImportService(env: env).importBundle(try ClinicBundle.json(mrn: "W-1"), source: "a.json", by: nil, info: .commandLine).patient
            let theirs = try await RecordImportService(env: env).importBundle(try ClinicBundle.json(mrn: "W-2"), source: "b.json", by: nil, info: .commandLine).patient
            let (theirType, theirID) = try await env.database.read { sql in
                let row = try await sql.raw("""
                    SELECT resource_type, id FROM fhir_resources WHERE patient_scope = \(bind: theirs.id.description)
                    AND resource_type = 'Condition' ORDER BY id LIMIT 1
                    """).first()!
                return (try row.decode(column: "resource_type", as: String.self), try row.decode(column: "id", as: String.self))
            }
            let theirReview = ReviewItem(patient: theirs.id, resourceType: theirType, resourceID: theirID, kind: .condition, queued: true,
                                         submittedBy: nil, submittedAt: Date())
            try await env.database.write { try await ReviewRepository($0).insert([theirReview]) }
            let versionBefore = try await env.database.read { try await FHIRResourceRepository($0).findWhole(type: theirType, id: theirID)!.versionID }

            try await env.database.write { sql in
                let writer = PatientRecordWriter(sql, kind: env.database.kind, patient: mine.id)
                #expect(try await writer.current(type: theirType, id: theirID) == nil)
                let stored = try await FHIRResourceRepository(sql).findWhole(type: theirType, id: theirID)!
                await #expect(throws: PatientRecordWriterError.otherRecord) {
                    try await writer.saveNextVersion(of: stored, .object([("resourceType", .string(theirType))]), at: Date())
                }
                await #expect(throws: PatientRecordWriterError.otherRecord) {
                    let json: JSONValue = .object([("resourceType", .string("Observation")), ("id", .string("planted"))])
                    try await writer.insert([FHIRResourceRepository.NewResource(
                        StoredResource(resourceType: "Observation", id: "planted", patient: theirs.id, matchKey: "planted",
                                       versionID: 1, lastUpdated: Date(), source: "test", json: json.jsonText),
                        index: try FHIRIndexFields.read(json), availableAt: nil)])
                }
                #expect(try await writer.review(resourceType: theirType, id: theirID) == nil)
                await #expect(throws: PatientRecordWriterError.otherRecord) {
                    try await writer.insert(reviews: [ReviewItem(patient: theirs.id, resourceType: "Observation", resourceID: "x", kind: .reading,
                                                                 queued: true, submittedBy: nil, submittedAt: Date())])
                }
                await #expect(throws: PatientRecordWriterError.otherRecord) {
                    _ = try await writer.move(theirReview, to: .accepted, comment: nil, reviewer: nil, at: Date())
                }
                await #expect(throws: PatientRecordWriterError.otherRecord) {
                    try await writer.audit([AuditEvent(.recordRead, info: .commandLine, patient: theirs.id)])
                }
            }
            // The repository under the writer holds the line too: a move names its patient.
            let moved = try await env.database.write {
                try await ReviewRepository($0).move(id: theirReview.id, patient: mine.id, from: .submitted, to: .accepted, comment: nil,
                                                    reviewer: nil, at: Date())
            }
            #expect(moved == nil)
            let (versionAfter, planted, reviewStatus) = try await env.database.read { sql in
                (try await FHIRResourceRepository(sql).findWhole(type: theirType, id: theirID)?.versionID,
                 try await FHIRResourceRepository(sql).findWhole(type: "Observation", id: "planted"),
                 try await ReviewRepository(sql).find(resourceType: theirType, resourceID: theirID, patient: theirs.id)?.status)
            }
            #expect(versionAfter == versionBefore)
            #expect(planted == nil)
            #expect(reviewStatus == .submitted)
        }
    }

    @Test("A record opened to read cannot be written", arguments: testDatabases)
    func readOnlyRecordRefusesWrites(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { _, env in
            let patient = try await RecordImportService(env: env).importBundle(try ClinicBundle.json(mrn: "W-3"), source: "a.json", by: nil, info: .commandLine).patient
            for action in Action.allCases where action.concernsPatient && !action.isWrite {
                await #expect(throws: PatientRecordError.self) {
                    try await env.records.asOperator(patient, for: action, info: .commandLine, target: ResourceRef(type: "Patient", id: "x")) { record in
                        try await record.write { _ in }
                    }
                }
            }
        }
    }
}
