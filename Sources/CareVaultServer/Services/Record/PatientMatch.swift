import CareVaultCore
import CareVaultStore
import Foundation

/// Which record a bundle belongs to. The patient ID is matched by system and value; a record found
/// that way must also have the bundle's name and birth date, or a clinician must have confirmed that
/// it is the same person. A bundle for one person carrying another's ID is refused whole, before
/// anything of it is stored.
struct PatientMatch {
    let patient: Patient
    let created: Bool
    /// The details that differed when a clinician confirmed the same person anyway.
    let confirmedDespite: [String]?
    /// What the confirmed import changed ("name: Ana Lima → Ana Souza").
    let changes: [String]

    static func find(_ plan: BundleImportPlan, organization: OrganizationID, samePerson: Set<String>, in patients: PatientRepository,
                     now: Date) async throws -> PatientMatch {
        let configured = try await patients.patientIDSystem(organization: organization)
        guard let id = plan.patient.patientID(configuredSystem: configured) else {
            throw BundleImportError(entry: plan.patientEntry.index, resourceType: "Patient", field: "identifier",
                                    message: BundlePatientIdentity.missingPatientID(configuredSystem: configured))
        }
        let bundle = plan.patient.demographics
        guard var existing = try await patients.find(mrn: id.value, organization: organization) else {
            let new = Patient(organization: organization, mrn: id.value, mrnSystem: id.system, givenName: bundle.givenName,
                              familyName: bundle.familyName, birthDate: bundle.birthDate, email: nil, createdAt: now)
            try await patients.insert(new)
            return PatientMatch(patient: new, created: true, confirmedDespite: nil, changes: [])
        }
        // The same value in another system is another identifier, belonging to someone else as far as we know.
        if !existing.mrnSystem.isEmpty, existing.mrnSystem != id.system {
            throw BundleImportError(entry: plan.patientEntry.index, resourceType: "Patient", field: "identifier",
                                    message: "patient ID \(id) is held here by a patient whose ID is in another system (\(existing.mrnSystem)); nothing was imported")
        }
        let differences = bundle.differences(from: existing.demographics)
        guard differences.isEmpty || samePerson.contains(id.value) else {
            throw ImportPatientMismatch(patientID: id.value, system: id.system, differences: differences)
        }
        var changes: [String] = []
        if differences.contains("name") {
            changes.append("name: \(existing.fullName) → \(bundle.givenName) \(bundle.familyName)")
        }
        if differences.contains("birth date") {
            changes.append("birth date: \(existing.birthDate) → \(bundle.birthDate)")
        }
        if !changes.isEmpty || existing.mrnSystem != id.system {
            existing.mrnSystem = id.system
            existing.givenName = bundle.givenName
            existing.familyName = bundle.familyName
            existing.birthDate = bundle.birthDate
            try await patients.updateIdentity(existing)
        }
        return PatientMatch(patient: existing, created: false, confirmedDespite: differences.isEmpty ? nil : differences, changes: changes)
    }
}

/// A bundle whose patient ID matches a record with another name or birth date: refused whole, unless
/// a clinician confirms the same person (the import page's tick box, `carevault import --same-person`).
public struct ImportPatientMismatch: Error, Equatable, Sendable, CustomStringConvertible {
    /// The patient ID's value, as confirmations name it.
    public let patientID: String
    public let system: String
    /// "name", "birth date".
    public let differences: [String]

    public var description: String {
        let id = system.isEmpty ? patientID : "\(patientID) (\(system))"
        return "Patient, identifier: patient ID \(id) belongs to a record whose \(differences.joined(separator: " and ")) "
            + "\(differences.count == 1 ? "differs" : "differ") from this bundle's; nothing was imported. "
            + "If it is the same person, confirm it and import again; otherwise correct the bundle"
    }
}
