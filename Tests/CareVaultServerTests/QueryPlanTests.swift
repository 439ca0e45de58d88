import CareVaultCore
@testable import CareVaultServer
import CareVaultStore
import Foundation
import SQLKit
import Testing

/// Statements on the busiest pages read only the rows they show, through the index meant for them,
/// however large the record grows (SQLite plans without statistics, so the shape of a statement
/// decides).
@Suite("Query plans")
struct QueryPlanTests {
    /// SQLite's plan for every statement `body` runs, on a fresh database with every migration.
    static func plan(_ body: @escaping @Sendable (any SQLDatabase) async throws -> Void) async throws -> [String] {
        try await TestApp.withDatabase(.sqlite, migratedTo: Migrator.all.count) { database in
            try await database.read { sql in
                let explaining = QueryPlanRecorder(sql)
                try await body(explaining)
                return explaining.plan
            }
        }
    }

    @Test("A test's history reads that test's rows through the patient's code index, whatever else the record holds")
    func historyUsesThePatientsCodeIndex() async throws {
        let query = RecordQuery(resourceType: "Observation", codeSystem: CodeSearchTests.heartRate.system, code: CodeSearchTests.heartRate.code)
        let plan = try await Self.plan { _ = try await FHIRResourceRepository($0).search(patient: PatientID(), query) }
        // Walking the patient's rows (fhir_resources_patient) and checking each one's codes is what this replaced.
        #expect(plan.contains { $0.contains("fhir_resource_codes_patient") }, "\(plan)")
        #expect(!plan.contains { $0.contains("fhir_resources_patient") }, "\(plan)")
        // Read in date order from the index: the newest N of 5,000 readings without sorting all 5,000 first.
        #expect(!plan.contains("USE TEMP B-TREE FOR ORDER BY"), "\(plan)")
    }

    @Test("A page's review statuses are found by resource, not by walking every item the patient ever submitted")
    func reviewStatusesByResource() async throws {
        let ids = (0..<25).map { _ in UUID().uuidString.lowercased() }
        let plan = try await Self.plan { _ = try await ReviewRepository($0).items(resourceType: "DocumentReference", ids: ids, patient: PatientID()) }
        #expect(plan.contains { $0.contains("review_items_resource") }, "\(plan)")
        #expect(!plan.contains { $0.contains("review_items_patient") }, "\(plan)")
    }

    @Test("What a record still holds back is found through the release index, not by walking the patient's items")
    func pendingUsesTheReleaseIndex() async throws {
        let plan = try await Self.plan { _ = try await RecordReleaseRepository($0).pending(patient: PatientID(), visibility: RecordVisibility(release: .releasedBy(1)), at: 1) }
        #expect(plan.contains { $0.contains("fhir_resources_release") }, "\(plan)")
        #expect(!plan.contains { $0.contains("fhir_resources_section") || $0.hasPrefix("SCAN") }, "\(plan)")
    }

    @Test("A list's visit choices check each visit through the visit index, not by reading the patient's items")
    func visitChoicesUseTheEncounterIndex() async throws {
        let plan = try await Self.plan {
            _ = try await FHIRResourceRepository($0).visits(having: .labs, patient: PatientID(), visibility: RecordVisibility(release: .releasedBy(1)), limit: 30)
        }
        #expect(plan.contains { $0.contains("USING COVERING INDEX fhir_resources_encounter_items") }, "\(plan)")
        #expect(!plan.contains { $0.hasPrefix("SCAN") }, "\(plan)")
    }

    @Test("A visit's page reads that visit's items through the visit's index, not every item of the patient")
    func visitItemsUseTheEncounterIndex() async throws {
        let plan = try await Self.plan {
            _ = try await FHIRResourceRepository($0).linked(patient: PatientID(), encounterReference: "Encounter/e", visibility: RecordVisibility(release: .releasedBy(1)))
        }
        #expect(plan.contains { $0.contains("fhir_resources_encounter_items (encounter_ref=?)") }, "\(plan)")
        #expect(!plan.contains { $0.contains("fhir_resources_patient") }, "\(plan)")
    }

    @Test("Home's count of what is new reads only the index of unopened items")
    func unopenedUsesItsIndex() async throws {
        let plan = try await Self.plan { _ = try await RecordReleaseRepository($0).unopened(patient: PatientID(), visibility: RecordVisibility(release: .releasedBy(1))) }
        #expect(plan.contains { $0.contains("fhir_resources_unopened") }, "\(plan)")
    }

    @Test("Lists read through the index made for them: a section through the section index, lab results through the category index")
    func listsKeepTheirIndexes() async throws {
        func plan(_ query: RecordQuery) async throws -> [String] {
            try await Self.plan { _ = try await FHIRResourceRepository($0).search(patient: PatientID(), query) }
        }
        // "Released by now" must not steer a list onto the release index (it read every item of the patient).
        let medicines = try await plan(RecordQuery(section: .medications, releasedBy: 1, limit: 26))
        #expect(medicines.contains { $0.contains("fhir_resources_section") } && !medicines.contains { $0.contains("fhir_resources_release") },
                "\(medicines)")
        let labs = try await plan(RecordQuery(resourceType: "Observation", category: "laboratory", releasedBy: 1, limit: 26))
        #expect(labs.contains { $0.contains("fhir_resources_category") } && !labs.contains { $0.contains("fhir_resources_release") }, "\(labs)")
    }

    @Test("Review statuses looked up for one patient never include another patient's items", arguments: testDatabases)
    func reviewStatusesStayWithTheirPatient(kind: DatabaseKind) async throws {
        try await TestApp.run(kind) { _, env in
            let (ana, _) = try await Flows.patientRecord(env)
            let (ben, _) = try await Flows.patientRecord(env)
            func item(_ patient: Patient, _ resource: String) -> ReviewItem {
                ReviewItem(patient: patient.id, resourceType: "DocumentReference", resourceID: resource, kind: .upload, queued: true,
                           submittedBy: nil, submittedAt: Date())
            }
            try await env.database.write { try await ReviewRepository($0).insert([item(ana, "ana-1"), item(ben, "ben-1")]) }
            let found = try await env.database.read {
                try await ReviewRepository($0).items(resourceType: "DocumentReference", ids: ["ana-1", "ben-1"], patient: ana.id)
            }
            #expect(Array(found.keys) == ["ana-1"])
        }
    }
}
