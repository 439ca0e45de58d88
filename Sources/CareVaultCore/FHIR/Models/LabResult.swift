import Foundation

/// One lab result as a patient reads it, taken from an Observation's FHIR JSON.
public struct LabResult: Sendable, Equatable {
    /// How the value compares with the reference range, in words (never only a colour).
    public enum Flag: String, Sendable, Equatable {
        case normal = "Normal"
        case high = "High"
        case low = "Low"
        case criticalHigh = "Very high"
        case criticalLow = "Very low"
        case abnormal = "Abnormal"
        case unknown = ""
    }

    public let id: String
    public let effective: String?
    /// What the record calls the test, as it came (the CSV download carries this).
    public let test: String
    /// The test in plain words (see ``TestNames``), for pages and printouts.
    public let name: String
    public let codeSystem: String?
    public let code: String?
    /// The value as written (decimals keep their precision).
    public let value: String
    public let unit: String
    public let range: String
    public let flag: Flag
    public let encounterReference: String?
    /// The numeric value and normal range, for charts.
    public let numericValue: Double?
    public let normalLow: Double?
    public let normalHigh: Double?

    /// Reads an Observation; nil for anything else.
    public init?(id: String, json: JSONValue) {
        guard json["resourceType"]?.stringValue == "Observation" else { return nil }
        self.id = id
        effective = json["effectiveDateTime"]?.stringValue ?? json["effectivePeriod"]?["start"]?.stringValue ?? json["issued"]?.stringValue
        let coding = json["code"]?["coding"]?.arrayValue?.first
        test = json["code"]?["text"]?.stringValue ?? coding?["display"]?.stringValue ?? coding?["code"]?.stringValue ?? "Unnamed test"
        name = TestNames.plain(json["code"], recordName: test)
        codeSystem = coding?["system"]?.stringValue
        code = coding?["code"]?.stringValue
        if let quantity = json["valueQuantity"] {
            value = Self.number(quantity["value"]).map { (quantity["comparator"]?.stringValue ?? "") + $0 } ?? ""
            unit = quantity["unit"]?.stringValue ?? quantity["code"]?.stringValue ?? ""
        } else {
            value = json["valueString"]?.stringValue
                ?? (json["valueCodeableConcept"]?["text"]?.stringValue
                    ?? json["valueCodeableConcept"]?["coding"]?.arrayValue?.first?["display"]?.stringValue).map(FHIRText.withoutSemanticTag)
                ?? Self.number(json["valueInteger"])
                ?? json["valueBoolean"].map { $0 == .bool(true) ? "Yes" : "No" }
                ?? ""
            unit = ""
        }
        let referenceRange = json["referenceRange"]?.arrayValue?.first
        let low = Self.number(referenceRange?["low"]?["value"])
        let high = Self.number(referenceRange?["high"]?["value"])
        numericValue = Self.number(json["valueQuantity"]?["value"]).flatMap(Double.init)
        normalLow = low.flatMap(Double.init)
        normalHigh = high.flatMap(Double.init)
        switch (low, high) {
        case let (l?, h?): range = "\(l)–\(h)"
        case let (l?, nil): range = "≥ \(l)"
        case let (nil, h?): range = "≤ \(h)"
        default: range = referenceRange?["text"]?.stringValue ?? ""
        }
        if let interpretation = json["interpretation"]?.arrayValue?.first?["coding"]?.arrayValue?.first?["code"]?.stringValue {
            flag = Self.flag(interpretation)
        } else if json["valueQuantity"]?["comparator"] == nil {
            flag = Self.flag(value: numericValue, low: normalLow, high: normalHigh)
        } else {
            flag = .unknown  // "<4" against 3.5–5.1 may be either
        }
        encounterReference = json["encounter"]?["reference"]?.stringValue
    }

    /// The flag a result earns against its reference range, for labs that send the range but no
    /// interpretation: without it the table showed no flag beside a value the chart drew outside the band.
    static func flag(value: Double?, low: Double?, high: Double?) -> Flag {
        guard let value, low != nil || high != nil else { return .unknown }
        if let low, value < low { return .low }
        if let high, value > high { return .high }
        return .normal
    }

    /// HL7 v3 ObservationInterpretation codes, in plain words.
    static func flag(_ code: String?) -> Flag {
        switch code {
        case "N": .normal
        case "H", "HU", ">": .high
        case "L", "LU", "<": .low
        case "HH": .criticalHigh
        case "LL": .criticalLow
        case "A", "AA", "POS", "DET": .abnormal
        default: .unknown
        }
    }

    private static func number(_ value: JSONValue?) -> String? {
        if case .number(let text)? = value { return text }
        return nil
    }
}
