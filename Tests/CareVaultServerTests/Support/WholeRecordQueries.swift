import CareVaultCore
import CareVaultStore

// Tests look into the store as the care team does (the whole record, held items too) unless they
// say otherwise: these spell that out once, so assertions about stored data stay short. The server
// itself has no such defaults: every read of patient data there names its reader's visibility.

extension RecordQuery {
    /// A query of the whole record, or of what is released by `releasedBy`.
    init(resourceType: String? = nil, section: RecordSection? = nil, category: String? = nil, from: Int64? = nil, to: Int64? = nil,
         encounterReference: String? = nil, text: String? = nil, codeSystem: String? = nil, code: String? = nil, status: String? = nil,
         releasedBy: Int64? = nil, limit: Int = 50, offset: Int = 0) {
        self.init(visibility: releasedBy.map { RecordVisibility(release: .releasedBy($0)) } ?? .wholeRecord, resourceType: resourceType,
                  section: section, category: category, from: from, to: to, encounterReference: encounterReference, text: text,
                  codeSystem: codeSystem, code: code, status: status, limit: limit, offset: offset)
    }
}

extension FHIRResourceRepository {
    func search(patientScope: String, _ query: RecordQuery) async throws -> [StoredResource] {
        guard let patient = PatientID(patientScope) else { return [] }
        return try await search(patient: patient, query)
    }

    func find(type: String, id: String) async throws -> StoredResource? {
        try await findWhole(type: type, id: id)
    }

    func all(patientScope: String) async throws -> [StoredResource] {
        guard let patient = PatientID(patientScope) else { return [] }
        return try await all(patient: patient, visibility: .wholeRecord)
    }

    /// How many resources of each type the whole record holds.
    func counts(patientScope: String) async throws -> [String: Int] {
        Dictionary(grouping: try await all(patientScope: patientScope), by: \.resourceType).mapValues(\.count)
    }
}
