import Foundation

/// A typed UUID, so an account id can never be passed where a patient id is expected.
public struct Identifier<Tag>: Hashable, Sendable, Codable, CustomStringConvertible {
    public let uuid: UUID

    public init(_ uuid: UUID = UUID()) { self.uuid = uuid }

    /// Parses the lowercase or uppercase textual form; `nil` for anything else.
    public init?(_ text: String) {
        guard let uuid = UUID(uuidString: text) else { return nil }
        self.uuid = uuid
    }

    /// The canonical lowercase form used in storage and URLs.
    public var description: String { uuid.uuidString.lowercased() }
}

public enum AccountTag {}
public enum PatientTag {}
public enum OrganizationTag {}
public enum GrantTag {}
public enum ConsentTag {}

/// A sign-in account: a patient, a clinician, a staff member or an administrator.
public typealias AccountID = Identifier<AccountTag>
/// A patient's record (which may or may not have an account yet).
public typealias PatientID = Identifier<PatientTag>
/// The organization (clinic, hospital, family) that holds records.
public typealias OrganizationID = Identifier<OrganizationTag>
/// A grant of access to a patient's record to someone acting for them (proxy, share link, app).
public typealias GrantID = Identifier<GrantTag>
/// A patient's recorded consent (for the use of images).
public typealias ConsentID = Identifier<ConsentTag>
