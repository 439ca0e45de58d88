/// One record item as a patient reads it in a list or on its own page, for every resource type the
/// portal renders (medicines, allergies, problems, vaccinations, procedures, reports, documents, care
/// plans, measurements…) and a plain fallback for any other type. The stored JSON stays the source of
/// truth; this is what the pages show of it.
public struct RecordEntry: Sendable, Equatable, Codable {
    /// One labelled fact ("Dose": "1 tablet twice a day").
    public struct Detail: Sendable, Equatable, Codable {
        public let label: String
        public let value: String

        public init(label: String, value: String) {
            self.label = label
            self.value = value
        }
    }

    public let resourceType: String
    public let id: String
    /// What it is, in the words of the record ("Amoxicillin 250 mg", "Peanut allergy").
    public let name: String
    /// When it happened or was recorded (FHIR date or dateTime text).
    public let date: String?
    /// The status in words ("Active", "Completed"), when there is one.
    public let status: String?
    public let details: [Detail]
    public let attachments: [RecordAttachment]
    public let encounterReference: String?

    public init(resourceType: String, id: String, json: JSONValue) {
        self.resourceType = resourceType
        self.id = id
        let item = RecordItem(resourceType: resourceType, id: id, json: json)
        var name = item.name
        var date = item.date ?? json["onsetPeriod"]?["start"]?.stringValue ?? json["period"]?["start"]?.stringValue
            ?? json["started"]?.stringValue
        var status = FHIRText.status(json["status"]?.stringValue)
        var details: [Detail] = []
        func add(_ label: String, _ value: String?) {
            if let value = FHIRText.nonEmpty(value) { details.append(Detail(label: label, value: value)) }
        }
        switch resourceType {
        case "MedicationRequest", "MedicationStatement", "MedicationAdministration", "MedicationDispense":
            name = FHIRText.concept(json["medicationCodeableConcept"]) ?? FHIRText.reference(json["medicationReference"]) ?? name
            let dosage = (json["dosageInstruction"] ?? json["dosage"])
            add("How to take it", (dosage?.arrayValue?.first ?? dosage)?["text"]?.stringValue ?? Self.timing(dosage?.arrayValue?.first))
            add("Why", FHIRText.concept(json["reasonCode"]) ?? FHIRText.reference(json["reasonReference"]?.arrayValue?.first))
            add("Prescribed by", FHIRText.reference(json["requester"]))
            add("Period", FHIRText.period(json["effectivePeriod"]))
        case "AllergyIntolerance":
            status = FHIRText.status(FHIRText.code(json["clinicalStatus"])) ?? status
            add("Type", json["category"]?.arrayValue?.compactMap(\.stringValue).map { Self.allergyCategories[$0] ?? $0 }.joined(separator: ", "))
            add("How serious", json["criticality"]?.stringValue.map { $0 == "high" ? "High risk" : $0 == "low" ? "Low risk" : "Risk not known" })
            let reactions = (json["reaction"]?.arrayValue ?? []).flatMap { $0["manifestation"]?.arrayValue ?? [] }.compactMap(FHIRText.concept)
            add("Reaction", reactions.joined(separator: ", "))
            add("Severity", json["reaction"]?.arrayValue?.first?["severity"]?.stringValue.map { FHIRText.status($0) ?? $0 })
        case "Condition":
            status = FHIRText.status(FHIRText.code(json["clinicalStatus"])) ?? status
            date = json["onsetDateTime"]?.stringValue ?? json["onsetPeriod"]?["start"]?.stringValue ?? json["recordedDate"]?.stringValue ?? date
            add("Started", (json["onsetDateTime"]?.stringValue).map(PlainDate.day) ?? json["onsetString"]?.stringValue)
            add("Ended", (json["abatementDateTime"]?.stringValue).map(PlainDate.day) ?? json["abatementString"]?.stringValue)
            add("Confirmed", FHIRText.status(FHIRText.code(json["verificationStatus"])))
            add("Body site", FHIRText.concept(json["bodySite"]))
        case "Immunization":
            add("Dose", FHIRText.quantity(json["doseQuantity"]))
            add("Where given", FHIRText.concept(json["site"]))
            add("Lot number", json["lotNumber"]?.stringValue)
            add("Given at", FHIRText.reference(json["location"]))
        case "Procedure":
            add("When", FHIRText.period(json["performedPeriod"]) ?? (json["performedDateTime"]?.stringValue).map(PlainDate.day))
            add("Why", FHIRText.concept(json["reasonCode"]))
            add("Body site", FHIRText.concept(json["bodySite"]))
            add("Outcome", FHIRText.concept(json["outcome"]))
        case "DiagnosticReport":
            add("Conclusion", json["conclusion"]?.stringValue)
            add("Findings", (json["conclusionCode"]?.arrayValue ?? []).compactMap(FHIRText.concept).joined(separator: ", "))
            add("Reported by", FHIRText.reference(json["performer"]?.arrayValue?.first))
            if item.recordName != name { add("Name in the record", item.recordName) }
        case "DocumentReference":
            name = FHIRText.concept(json["type"]) ?? json["description"]?.stringValue ?? name
            add("Description", json["description"]?.stringValue)
            add("Written by", FHIRText.reference(json["author"]?.arrayValue?.first))
            add("Kind", FHIRText.concept(json["category"]))
        case "Observation":
            add("Result", Self.observationValue(json))
            add("Kind", FHIRText.concept(json["category"]))
            if item.recordName != name { add("Name in the record", item.recordName) }
        case "CarePlan":
            // US Core marks every care plan with the category "assess-plan"; a category with words of its own says more.
            let described = (json["category"]?.arrayValue ?? []).first {
                FHIRText.nonEmpty($0["text"]?.stringValue) != nil || FHIRText.nonEmpty($0["coding"]?.arrayValue?.first?["display"]?.stringValue) != nil
            }
            name = json["title"]?.stringValue ?? FHIRText.concept(described) ?? FHIRText.concept(json["category"]) ?? name
            add("Period", FHIRText.period(json["period"]))
            add("Addresses", (json["addresses"]?.arrayValue ?? []).compactMap(FHIRText.reference).joined(separator: ", "))
            let activities = (json["activity"]?.arrayValue ?? []).compactMap { FHIRText.concept($0["detail"]?["code"]) }
            add("Activities", activities.joined(separator: "; "))
        case "Goal":
            name = FHIRText.concept(json["description"]) ?? name
            status = FHIRText.status(json["lifecycleStatus"]?.stringValue)
            add("Target date", json["target"]?.arrayValue?.first?["dueDate"]?.stringValue)
        case "CareTeam":
            name = json["name"]?.stringValue ?? "Care team"
            let members = (json["participant"]?.arrayValue ?? []).compactMap { p -> String? in
                guard let who = FHIRText.reference(p["member"]) else { return nil }
                return FHIRText.concept(p["role"]).map { "\(who) (\($0))" } ?? who
            }
            add("Members", members.joined(separator: "; "))
            add("Period", FHIRText.period(json["period"]))
        case "ImagingStudy":
            name = json["description"]?.stringValue ?? FHIRText.concept(json["procedureCode"]) ?? "Imaging study"
            date = json["started"]?.stringValue ?? date
            add("Kind of scan", (json["modality"]?.arrayValue ?? []).compactMap { $0["display"]?.stringValue ?? $0["code"]?.stringValue }.joined(separator: ", "))
            add("Series", FHIRText.number(json["numberOfSeries"]))
            add("Images", FHIRText.number(json["numberOfInstances"]))
        case "Device":
            name = FHIRText.concept(json["type"]) ?? json["deviceName"]?.arrayValue?.first?["name"]?.stringValue ?? "Device"
            add("Identifier", json["udiCarrier"]?.arrayValue?.first?["deviceIdentifier"]?.stringValue)
            add("Made by", json["manufacturer"]?.stringValue)
        case "Claim", "ExplanationOfBenefit":
            name = FHIRText.concept(json["type"]).map { "Billing: \($0)" } ?? "Billing record"
            date = json["billablePeriod"]?["start"]?.stringValue ?? json["created"]?.stringValue ?? date
            add("Total", FHIRText.money(json["total"]) ?? FHIRText.money(json["total"]?.arrayValue?.first?["amount"]))
            add("Insurer", FHIRText.reference(json["insurer"]))
        default:
            break
        }
        self.name = name
        self.date = date
        self.status = status
        self.details = details
        attachments = RecordAttachment.all(in: json)
        encounterReference = (json["encounter"] ?? json["context"]?["encounter"]?.arrayValue?.first)?["reference"]?.stringValue
    }

    /// AllergyIntolerance.category codes in words.
    static let allergyCategories = ["food": "Food", "medication": "Medicine", "environment": "Environment", "biologic": "Biological product"]

    /// The value of a measurement in words; blood pressure reads "120/80 mmHg" from its two components.
    public static func observationValue(_ json: JSONValue) -> String? {
        if let quantity = FHIRText.quantity(json["valueQuantity"]) { return quantity }
        if let text = json["valueString"]?.stringValue ?? FHIRText.concept(json["valueCodeableConcept"]) { return text }
        let components = json["component"]?.arrayValue ?? []
        let systolic = components.first { FHIRText.code($0["code"]) == "8480-6" }
        let diastolic = components.first { FHIRText.code($0["code"]) == "8462-4" }
        if let s = FHIRText.number(systolic?["valueQuantity"]?["value"]).flatMap(Double.init),
           let d = FHIRText.number(diastolic?["valueQuantity"]?["value"]).flatMap(Double.init) {
            // Blood pressure is read in whole millimetres of mercury ("124/75 mmHg").
            let unit = UnitWords.readable(systolic?["valueQuantity"]?["unit"]?.stringValue ?? "mmHg")
            return "\(Int(s.rounded()))/\(Int(d.rounded())) \(unit)"
        }
        let parts = components.compactMap { c -> String? in
            guard let name = FHIRText.concept(c["code"]),
                  let value = FHIRText.quantity(c["valueQuantity"]) ?? FHIRText.concept(c["valueCodeableConcept"]) else { return nil }
            return "\(name): \(value)"
        }
        return parts.isEmpty ? nil : parts.joined(separator: "; ")
    }

    static func timing(_ dosage: JSONValue?) -> String? {
        guard let repeatInfo = dosage?["timing"]?["repeat"], let frequency = FHIRText.number(repeatInfo["frequency"]),
              let period = FHIRText.number(repeatInfo["period"]), let unit = repeatInfo["periodUnit"]?.stringValue else { return nil }
        let units = ["h": "hour", "d": "day", "wk": "week", "mo": "month", "min": "minute"]
        return "\(frequency) time\(frequency == "1" ? "" : "s") every \(period == "1" ? "" : period + " ")\(units[unit] ?? unit)\(period == "1" ? "" : "s")"
    }
}
