/// One visit (a FHIR Encounter) as a patient reads it.
public struct Visit: Sendable, Equatable {
    public let id: String
    public let start: String?
    public let end: String?
    /// What kind of visit, in words ("General examination", "Emergency").
    public let kind: String
    public let reason: String?
    public let place: String?
    public let status: String?

    /// Reads an Encounter; nil for anything else.
    public init?(id: String, json: JSONValue) {
        guard json["resourceType"]?.stringValue == "Encounter" else { return nil }
        self.id = id
        start = json["period"]?["start"]?.stringValue
        end = json["period"]?["end"]?.stringValue
        let type = json["type"]?.arrayValue?.first
        kind = (type?["text"]?.stringValue ?? type?["coding"]?.arrayValue?.first?["display"]?.stringValue).map(FHIRText.withoutSemanticTag)
            ?? Self.classNames[json["class"]?["code"]?.stringValue ?? ""]
            ?? "Visit"
        let reasonCode = json["reasonCode"]?.arrayValue?.first
        reason = (reasonCode?["text"]?.stringValue ?? reasonCode?["coding"]?.arrayValue?.first?["display"]?.stringValue)
            .map(FHIRText.withoutSemanticTag)
        place = json["location"]?.arrayValue?.first?["location"]?["display"]?.stringValue
            ?? json["serviceProvider"]?["display"]?.stringValue
        status = json["status"]?.stringValue
    }

    /// HL7 v3 ActEncounterCode, in words.
    static let classNames = ["AMB": "Clinic visit", "EMER": "Emergency", "IMP": "Hospital stay", "VR": "Video or phone visit",
                             "HH": "Home visit", "ACUTE": "Hospital stay", "OBSENC": "Observation stay"]
}

/// Any resource in a visit, named in words for a list.
public struct RecordItem: Sendable, Equatable {
    public let resourceType: String
    public let id: String
    /// What it is, in plain words (a test or measurement by its plain name, see ``TestNames``).
    public let name: String
    /// What the record itself calls it.
    public let recordName: String
    public let date: String?

    public init(resourceType: String, id: String, json: JSONValue) {
        self.resourceType = resourceType
        self.id = id
        let concept = json["code"] ?? json["vaccineCode"] ?? json["medicationCodeableConcept"] ?? json["type"]
        let first = concept?.arrayValue?.first ?? concept
        recordName = (first?["text"]?.stringValue ?? first?["coding"]?.arrayValue?.first?["display"]?.stringValue).map(FHIRText.withoutSemanticTag)
            ?? json["description"]?.stringValue ?? resourceType
        name = resourceType == "Observation" || resourceType == "DiagnosticReport" ? TestNames.plain(first, recordName: recordName) : recordName
        date = (json["effectiveDateTime"] ?? json["occurrenceDateTime"] ?? json["performedDateTime"] ?? json["authoredOn"]
                ?? json["recordedDate"] ?? json["issued"] ?? json["date"] ?? json["performedPeriod"]?["start"])?.stringValue
    }

    /// The kind of record in plain words.
    public var kind: String {
        switch resourceType {
        case "Observation": "Test or measurement"
        case "DiagnosticReport": "Report"
        case "DocumentReference": "Document"
        case "Condition": "Problem or diagnosis"
        case "Procedure": "Procedure"
        case "MedicationRequest": "Medicine prescribed"
        case "Immunization": "Vaccination"
        case "AllergyIntolerance": "Allergy"
        case "CarePlan": "Care plan"
        case "Claim", "ExplanationOfBenefit": "Billing"
        default: resourceType
        }
    }
}
