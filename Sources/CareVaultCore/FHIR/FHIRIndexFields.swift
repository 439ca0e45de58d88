/// What CareVault searches a stored resource by, read from its FHIR JSON.
public struct FHIRIndexFields: Sendable, Equatable {
    public struct Code: Sendable, Equatable, Hashable {
        public let system: String
        public let code: String
        public let display: String?

        /// The pseudo-system of a title or concept text indexed for text search (never a real code system).
        public static let textSystem = "urn:carevault:text"
    }

    /// The patient reference (`Patient/…`) the resource belongs to, if any.
    public var patientReference: String?
    public var category: String?
    public var status: String?
    /// The encounter reference (`Encounter/…`).
    public var encounterReference: String?
    /// When it happened, as a range of milliseconds since 1970 UTC.
    public var effective: ClosedRange<Int64>?
    public var codes: [Code] = []

    /// The codes as `system|code`, as a visibility hides them.
    public var codeKeys: [String] { codes.filter { $0.system != Code.textSystem }.map { "\($0.system)|\($0.code)" } }

    /// Reads the fields; throws naming the field when a date it indexes is not a FHIR date.
    public static func read(_ resource: JSONValue) throws(FHIRFieldError) -> FHIRIndexFields {
        var fields = FHIRIndexFields()
        fields.patientReference = (resource["subject"] ?? resource["patient"] ?? resource["beneficiary"])?["reference"]?.stringValue
        fields.encounterReference = (resource["encounter"] ?? resource["context"]?["encounter"]?.arrayValue?.first)?["reference"]?.stringValue
        fields.status = resource["status"]?.stringValue
            ?? resource["clinicalStatus"]?["coding"]?.arrayValue?.first?["code"]?.stringValue
            ?? (ReportedEntryInput.isEnteredInError(resource) ? "entered-in-error" : nil)
        if let categories = resource["category"]?.arrayValue, let first = categories.first {
            fields.category = first.stringValue ?? first["coding"]?.arrayValue?.first?["code"]?.stringValue
        } else if let category = resource["category"] {
            fields.category = category["coding"]?.arrayValue?.first?["code"]?.stringValue
        }
        for key in ["code", "vaccineCode", "medicationCodeableConcept", "type"] {
            guard let concept = resource[key] else { continue }
            let concepts = concept.arrayValue ?? [concept]
            for c in concepts {
                for coding in c["coding"]?.arrayValue ?? [] {
                    if let code = coding["code"]?.stringValue {
                        fields.codes.append(Code(system: coding["system"]?.stringValue ?? "", code: code,
                                                 display: coding["display"]?.stringValue))
                    }
                }
            }
            if !fields.codes.isEmpty { break }
        }
        // Security labels (HL7 sensitivity codes such as mental health or substance use), so what a
        // sender marked confidential can be kept from readers who may not see it.
        for label in resource["meta"]?["security"]?.arrayValue ?? [] {
            if let system = label["system"]?.stringValue, let code = label["code"]?.stringValue {
                fields.codes.append(Code(system: system, code: code, display: label["display"]?.stringValue))
            }
        }
        // Titles and concept texts, so a text search finds "Hospital stay for pneumonia" even without a coding.
        var texts: [String] = []
        for key in ["code", "vaccineCode", "medicationCodeableConcept", "type"] {
            for c in resource[key].map({ $0.arrayValue ?? [$0] }) ?? [] { if let text = c["text"]?.stringValue { texts.append(text) } }
        }
        for key in ["title", "description"] { if let text = resource[key]?.stringValue { texts.append(text) } }
        for text in texts where !text.isEmpty {
            fields.codes.append(Code(system: Code.textSystem, code: String(text.prefix(200)), display: String(text.prefix(500))))
        }
        // The same date the pages show for the resource, so lists sort and filter by what they display.
        fields.effective = try date(resource, ["effectiveDateTime", "occurrenceDateTime", "performedDateTime", "onsetDateTime", "authoredOn",
                                               "recordedDate", "issued", "date", "started", "birthDate"])
        if fields.effective == nil {
            for key in ["effectivePeriod", "performedPeriod", "onsetPeriod", "occurrencePeriod", "billablePeriod", "period"] {
                guard let period = resource[key] else { continue }
                var low: Int64?, high: Int64?
                if let start = period["start"] {
                    guard let text = start.stringValue, let range = FHIRInstant.range(text) else {
                        throw FHIRFieldError(field: "\(key).start", message: "is not a FHIR dateTime")
                    }
                    low = range.lowerBound
                }
                if let end = period["end"] {
                    guard let text = end.stringValue, let range = FHIRInstant.range(text) else {
                        throw FHIRFieldError(field: "\(key).end", message: "is not a FHIR dateTime")
                    }
                    high = range.upperBound
                }
                if let l = low ?? high, let h = high ?? low, l <= h { fields.effective = l...h }
                break
            }
        }
        // When a claim was made, for billing records without a billable period.
        if fields.effective == nil { fields.effective = try date(resource, ["created"]) }
        return fields
    }

    /// The first of `keys` present, as a range; throws naming it when it is not a FHIR date.
    private static func date(_ resource: JSONValue, _ keys: [String]) throws(FHIRFieldError) -> ClosedRange<Int64>? {
        for key in keys {
            guard let value = resource[key] else { continue }
            guard let text = value.stringValue, let range = FHIRInstant.range(text) else {
                throw FHIRFieldError(field: key, message: "is not a FHIR date or dateTime")
            }
            return range
        }
        return nil
    }
}

/// A field of a resource that is present but not valid.
public struct FHIRFieldError: Error, Equatable, Sendable {
    public let field: String
    public let message: String
}
