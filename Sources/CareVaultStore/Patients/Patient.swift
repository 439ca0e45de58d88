import CareVaultCore
import Foundation

/// A patient record's identity: who the record belongs to. The clinical record comes later, as FHIR.
public struct Patient: Sendable, Equatable {
    public var id: PatientID
    public var organization: OrganizationID
    /// The organization's patient ID (medical record number).
    public var mrn: String
    public var givenName: String
    public var familyName: String
    public var birthDate: BirthDate
    public var email: String?
    public var createdAt: Date

    public init(id: PatientID = PatientID(), organization: OrganizationID, mrn: String, givenName: String,
                familyName: String, birthDate: BirthDate, email: String?, createdAt: Date) {
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

    /// What the authorization policy needs to know about this record.
    public var scope: PatientScope { PatientScope(id: id, organization: organization) }
}
