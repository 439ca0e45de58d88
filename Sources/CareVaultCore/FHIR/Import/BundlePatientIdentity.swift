import Foundation

/// Who a bundle says its patient is: every identifier, the first name and the birth date. An import
/// attaches a bundle to an existing record only when the patient ID matches by system and value and
/// the name and birth date agree (or a clinician confirmed the person is the same).
public struct BundlePatientIdentity: Sendable, Equatable {
    /// One of the Patient's identifiers.
    public struct PatientIdentifier: Sendable, Equatable, CustomStringConvertible {
        /// The namespace (`Identifier.system`); empty when the bundle names none.
        public let system: String
        public let value: String
        /// Typed MR (HL7 v2-0203 "medical record number").
        public let isMedicalRecordNumber: Bool

        public init(system: String, value: String, isMedicalRecordNumber: Bool) {
            self.system = system
            self.value = value
            self.isMedicalRecordNumber = isMedicalRecordNumber
        }

        /// "12345 (urn:oid:1.2.3)", or the value alone when there is no system.
        public var description: String { system.isEmpty ? value : "\(value) (\(system))" }
    }

    /// The demographics compared when a bundle meets an existing record.
    public struct Demographics: Sendable, Equatable {
        public let givenName: String
        public let familyName: String
        public let birthDate: BirthDate

        public init(givenName: String, familyName: String, birthDate: BirthDate) {
            self.givenName = givenName
            self.familyName = familyName
            self.birthDate = birthDate
        }

        /// What differs from `other`, in words ("name", "birth date"); empty when they agree. Names
        /// compare without regard to case, accents or extra spaces ("José  Núñez" is "Jose Nunez").
        public func differences(from other: Demographics) -> [String] {
            var found: [String] = []
            if Self.fold(givenName) != Self.fold(other.givenName) || Self.fold(familyName) != Self.fold(other.familyName) { found.append("name") }
            if birthDate != other.birthDate { found.append("birth date") }
            return found
        }

        static func fold(_ name: String) -> String {
            name.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
                .split(whereSeparator: \.isWhitespace).joined(separator: " ")
        }
    }

    /// Most identifiers a Patient may carry (a real one has a handful).
    public static let maxIdentifiers = 64

    public let identifiers: [PatientIdentifier]
    public let demographics: Demographics

    public init(identifiers: [PatientIdentifier], demographics: Demographics) {
        self.identifiers = identifiers
        self.demographics = demographics
    }

    /// The identifier that is the clinic's patient ID: the one in `configuredSystem` when the
    /// organization names its system, else the one typed MR. Never merely the first identifier: a
    /// social security or driver's licence number is not a patient ID, and values are only unique
    /// within their system.
    public func patientID(configuredSystem: String?) -> PatientIdentifier? {
        if let configuredSystem, !configuredSystem.isEmpty {
            return identifiers.first { $0.system == configuredSystem }
        }
        return identifiers.first(where: \.isMedicalRecordNumber)
    }

    /// Why no patient ID was found, naming what was looked for.
    public static func missingPatientID(configuredSystem: String?) -> String {
        if let configuredSystem, !configuredSystem.isEmpty {
            return "has no identifier in this clinic's patient-ID system (\(configuredSystem))"
        }
        return "has no identifier typed MR (the patient ID); an administrator can name the clinic's patient-ID system instead (carevault organization patient-id-system)"
    }

    /// Reads the identity from a Patient resource.
    public init(patient resource: JSONValue, entry: Int) throws(BundleImportError) {
        let raw = resource["identifier"]?.arrayValue ?? []
        guard raw.count <= Self.maxIdentifiers else {
            throw BundleImportError(entry: entry, resourceType: "Patient", field: "identifier", message: "has more than \(Self.maxIdentifiers) identifiers")
        }
        identifiers = raw.compactMap { id in
            guard let value = id["value"]?.stringValue, !value.isEmpty else { return nil }
            let typedMR = id["type"]?["coding"]?.arrayValue?.contains { $0["code"]?.stringValue == "MR" } == true
            return PatientIdentifier(system: id["system"]?.stringValue ?? "", value: value, isMedicalRecordNumber: typedMR)
        }
        let name = resource["name"]?.arrayValue?.first
        guard let family = name?["family"]?.stringValue, let given = name?["given"]?.arrayValue?.first?.stringValue else {
            throw BundleImportError(entry: entry, resourceType: "Patient", field: "name", message: "needs a family and a given name")
        }
        guard let birth = resource["birthDate"]?.stringValue.flatMap(BirthDate.init) else {
            throw BundleImportError(entry: entry, resourceType: "Patient", field: "birthDate", message: "is missing or not YYYY-MM-DD")
        }
        demographics = Demographics(givenName: given, familyName: family, birthDate: birth)
    }
}
