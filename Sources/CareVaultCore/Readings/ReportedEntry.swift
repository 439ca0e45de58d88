import Foundation

/// What a patient tells their care team about themself — an allergy, a medicine they take, a
/// condition they have — stored as FHIR resources the patient asserted, unconfirmed until a
/// clinician accepts them.
public enum ReportedEntryKind: String, Sendable, CaseIterable {
    case allergy, medication, condition

    public var resourceType: String {
        switch self {
        case .allergy: "AllergyIntolerance"
        case .medication: "MedicationStatement"
        case .condition: "Condition"
        }
    }

    public var section: RecordSection {
        switch self {
        case .allergy: .allergies
        case .medication: .medications
        case .condition: .problems
        }
    }

    /// The page's heading ("Tell your care team about an allergy").
    public var heading: String {
        switch self {
        case .allergy: "Tell your care team about an allergy"
        case .medication: "Tell your care team about a medicine you take"
        case .condition: "Tell your care team about a health condition"
        }
    }

    public var nameLabel: String {
        switch self {
        case .allergy: "What are you allergic to?"
        case .medication: "Name of the medicine"
        case .condition: "What is the condition?"
        }
    }

    public var detailLabel: String {
        switch self {
        case .allergy: "What happens when you have it? (optional)"
        case .medication: "How much and how often do you take it? (optional)"
        case .condition: "Anything your care team should know? (optional)"
        }
    }

    public var sinceLabel: String {
        switch self {
        case .allergy: "Since when? (optional)"
        case .medication: "Taking it since (optional)"
        case .condition: "Since when? (optional)"
        }
    }

    public var example: String {
        switch self {
        case .allergy: "for example penicillin, peanuts, latex"
        case .medication: "for example ibuprofen 200 mg, or a vitamin D supplement"
        case .condition: "for example asthma, migraine"
        }
    }
}

/// A reported entry as typed, before it is checked.
public struct ReportedEntryInput: Sendable {
    public var kind: ReportedEntryKind
    public var name: String
    public var detail: String
    public var since: String

    public init(kind: ReportedEntryKind, name: String, detail: String = "", since: String = "") {
        self.kind = kind
        self.name = name
        self.detail = detail
        self.since = since
    }

    /// The entry as its FHIR resource, or every problem with the form (fields `name`, `detail`, `since`).
    public func resource(id: String, patient: String, asserter: JSONValue, recorded: String, today: BirthDate) -> Result<JSONValue, ValidationFailure> {
        var errors: [FieldError] = []
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines), detail = detail.trimmingCharacters(in: .whitespacesAndNewlines)
        let since = since.trimmingCharacters(in: .whitespaces)
        if name.isEmpty { errors.append(FieldError(field: "name", message: "Enter \(kind.nameLabel.lowercased().replacingOccurrences(of: "?", with: "")) – \(kind.example).")) }
        if name.count > 200 { errors.append(FieldError(field: "name", message: "Use at most 200 characters for the name.")) }
        if detail.count > 1000 { errors.append(FieldError(field: "detail", message: "Use at most 1,000 characters here.")) }
        if !since.isEmpty, BirthDate(since).map({ $0 > today || $0.year < 1900 }) ?? true {
            errors.append(FieldError(field: "since", message: "Enter the date as year-month-day, not in the future, for example 2019-05-01."))
        }
        guard errors.isEmpty else { return .failure(ValidationFailure(errors)) }
        let patientRef = JSONValue.object([("reference", .string("Patient/\(patient)"))])
        var members: [(key: String, value: JSONValue)] = [
            ("resourceType", .string(kind.resourceType)), ("id", .string(id)),
            ("meta", .object([("versionId", .string("1")), ("lastUpdated", .string(recorded))])),
        ]
        switch kind {
        case .allergy:
            members += [
                ("clinicalStatus", ReadingObservation.concept("http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", "active", "Active")),
                ("verificationStatus", ReadingObservation.concept("http://terminology.hl7.org/CodeSystem/allergyintolerance-verification", "unconfirmed", "Unconfirmed")),
                ("code", .object([("text", .string(name))])),
                ("patient", patientRef),
            ]
            if !since.isEmpty { members.append(("onsetDateTime", .string(since))) }
            members += [("recordedDate", .string(recorded)), ("asserter", asserter)]
            if !detail.isEmpty { members.append(("reaction", .array([.object([("manifestation", .array([.object([("text", .string(detail))])]))])]))) }
        case .medication:
            members += [
                ("status", .string("active")),
                ("medicationCodeableConcept", .object([("text", .string(name))])),
                ("subject", patientRef),
            ]
            if !since.isEmpty { members.append(("effectivePeriod", .object([("start", .string(since))]))) }
            members += [("dateAsserted", .string(recorded)), ("informationSource", asserter)]
            if !detail.isEmpty { members.append(("dosage", .array([.object([("text", .string(detail))])]))) }
        case .condition:
            members += [
                ("clinicalStatus", ReadingObservation.concept("http://terminology.hl7.org/CodeSystem/condition-clinical", "active", "Active")),
                ("verificationStatus", ReadingObservation.concept("http://terminology.hl7.org/CodeSystem/condition-ver-status", "unconfirmed", "Unconfirmed")),
                ("category", .array([ReadingObservation.concept("http://terminology.hl7.org/CodeSystem/condition-category", "problem-list-item", "Problem List Item")])),
                ("code", .object([("text", .string(name))])),
                ("subject", patientRef),
            ]
            if !since.isEmpty { members.append(("onsetDateTime", .string(since))) }
            members += [("recordedDate", .string(recorded)), ("asserter", asserter)]
            if !detail.isEmpty { members.append(("note", .array([.object([("text", .string(detail))])]))) }
        }
        return .success(.object(members))
    }

    /// The resource marked as entered in error, which takes it out of the record's lists: `status` for
    /// readings (Observation) and medicines (MedicationStatement); for allergies and conditions the
    /// verification status, with the clinical status removed as R4 requires (ait-1, con-5).
    public static func enteredInError(_ json: JSONValue) -> JSONValue {
        var copy = json
        switch json["resourceType"]?.stringValue {
        case "AllergyIntolerance":
            copy.remove("clinicalStatus")
            copy.set("verificationStatus", ReadingObservation.concept("http://terminology.hl7.org/CodeSystem/allergyintolerance-verification", "entered-in-error", "Entered in Error"))
        case "Condition":
            copy.remove("clinicalStatus")
            copy.set("verificationStatus", ReadingObservation.concept("http://terminology.hl7.org/CodeSystem/condition-ver-status", "entered-in-error", "Entered in Error"))
        default:
            copy.set("status", .string("entered-in-error"))
        }
        return copy
    }

    /// Whether a resource is marked as entered in error (by its status or its verification status).
    public static func isEnteredInError(_ json: JSONValue) -> Bool {
        json["status"]?.stringValue == "entered-in-error"
            || json["verificationStatus"]?["coding"]?.arrayValue?.contains { $0["code"]?.stringValue == "entered-in-error" } == true
    }

    /// The resource with its verification status confirmed (allergies and conditions; others unchanged).
    public static func confirmed(_ json: JSONValue) -> JSONValue {
        var copy = json
        switch json["resourceType"]?.stringValue {
        case "AllergyIntolerance":
            copy.set("verificationStatus", ReadingObservation.concept("http://terminology.hl7.org/CodeSystem/allergyintolerance-verification", "confirmed", "Confirmed"))
        case "Condition":
            copy.set("verificationStatus", ReadingObservation.concept("http://terminology.hl7.org/CodeSystem/condition-ver-status", "confirmed", "Confirmed"))
        default: break
        }
        return copy
    }
}
