import CareVaultCore
import Foundation

/// A patient record's identity: who the record belongs to. The clinical record comes later, as FHIR.
public struct Patient: Sendable, Equatable {
    public var id: PatientID
    public var organization: OrganizationID
    /// The organization's patient ID (medical record number).
    public var mrn: String
    /// The system the patient ID belongs to (`Identifier.system`); empty when staff entered it without one.
    public var mrnSystem: String
    public var givenName: String
    public var familyName: String
    public var birthDate: BirthDate
    public var email: String?
    public var createdAt: Date

    public init(id: PatientID = PatientID(), organization: OrganizationID, mrn: String, mrnSystem: String = "", givenName: String,
                familyName: String, birthDate: BirthDate, email: String?, createdAt: Date) {
        self.mrnSystem = mrnSystem
        self.id = id
        self.organization = organization
        self.mrn = mrn
        self.givenName = givenName
        self.familyName = familyName
        self.birthDate = birthDate
        self.email = email
        self.createdAt = createdAt
    }

    public var fullName: String { "\(givenName) \(familyName)" }

    /// Name and birth date, as an import compares them.
    public var demographics: BundlePatientIdentity.Demographics {
        .init(givenName: givenName, familyName: familyName, birthDate: birthDate)
    }

    /// What the authorization policy needs to know about this record.
    public var scope: PatientScope { PatientScope(id: id, organization: organization, birthDate: birthDate) }
}
