import Foundation

/// Small readers that turn FHIR datatypes into plain words for pages.
public enum FHIRText {
    /// A CodeableConcept's text, else its first coding's display, else its first code.
    public static func concept(_ value: JSONValue?) -> String? {
        guard let value else { return nil }
        if let first = value.arrayValue?.first { return concept(first) }
        let coding = value["coding"]?.arrayValue?.first
        return (nonEmpty(value["text"]?.stringValue) ?? nonEmpty(coding?["display"]?.stringValue)).map(withoutSemanticTag)
            ?? coding?["code"]?.stringValue.flatMap { code in codeWords[coding?["system"]?.stringValue ?? ""]?[code] ?? nonEmpty(code) }
    }

    /// A SNOMED CT name without the semantic tag that ends its fully specified form, which many
    /// systems send as the display: "Chronic sinusitis (disorder)" → "Chronic sinusitis". The tag
    /// sorts concepts for terminology tools; to a patient it reads as part of the diagnosis.
    public static func withoutSemanticTag(_ name: String) -> String {
        guard name.hasSuffix(")"), let open = name.lastIndex(of: "("), open > name.startIndex,
              name[name.index(before: open)] == " ",
              semanticTags.contains(String(name[name.index(after: open)..<name.index(before: name.endIndex)]))
        else { return name }
        return String(name[..<name.index(before: open)])
    }

    private static let semanticTags: Set<String> = [
        "disorder", "finding", "procedure", "situation", "observable entity", "regime/therapy", "qualifier value", "body structure",
        "substance", "product", "event", "morphologic abnormality", "physical object", "record artifact", "environment",
        "assessment scale", "clinical drug", "medicinal product", "medicinal product form", "specimen", "disposition",
    ]

    /// Words for codes that records often carry without a display ("vital-signs" → "Vital signs").
    private static let codeWords: [String: [String: String]] = [
        "http://terminology.hl7.org/CodeSystem/observation-category": [
            "vital-signs": "Vital signs", "laboratory": "Lab test", "social-history": "Social history", "survey": "Questionnaire",
            "exam": "Examination", "imaging": "Imaging", "procedure": "Procedure", "therapy": "Therapy", "activity": "Activity",
        ],
        "http://hl7.org/fhir/us/core/CodeSystem/careplan-category": ["assess-plan": "Assessment and plan of treatment"],
    ]

    /// The first coding's code of a CodeableConcept (e.g. `active` of clinicalStatus).
    public static func code(_ value: JSONValue?) -> String? {
        (value?.arrayValue?.first ?? value)?["coding"]?.arrayValue?.first?["code"]?.stringValue
    }

    /// A Reference's display, else nil (ids are not words).
    public static func reference(_ value: JSONValue?) -> String? { nonEmpty(value?["display"]?.stringValue) }

    /// A Quantity as "5 mg".
    public static func quantity(_ value: JSONValue?) -> String? {
        guard let value, let number = number(value["value"]) else { return nil }
        let unit = UnitWords.readable(value["unit"]?.stringValue ?? value["code"]?.stringValue ?? "")
        return ((value["comparator"]?.stringValue ?? "") + readableNumber(number) + (unit.isEmpty ? "" : " " + unit))
    }

    /// A Money as "125.00 USD" (FHIR gives the currency as an ISO 4217 code).
    public static func money(_ value: JSONValue?) -> String? {
        guard let value, let text = number(value["value"]), let amount = Double(text) else { return nil }
        let currency = value["currency"]?.stringValue ?? ""
        return String(format: "%.2f", amount) + (currency.isEmpty ? "" : " " + currency)
    }

    /// A value with machine precision (`145.01040701622802`) to two decimals, for reading; anything
    /// else as written. The exact value stays in the record, the FHIR download and the CSV.
    public static func readableNumber(_ value: String) -> String {
        guard let dot = value.firstIndex(of: "."), value.distance(from: dot, to: value.endIndex) > 4,
              value.allSatisfy({ $0.isNumber || $0 == "." || $0 == "-" }), let number = Double(value)
        else { return value }
        return String(format: "%.2f", number)
    }

    /// A Period as "January 2, 2024 to January 5, 2024" (or just the start).
    public static func period(_ value: JSONValue?) -> String? {
        let start = value?["start"]?.stringValue.map(PlainDate.day), end = value?["end"]?.stringValue.map(PlainDate.day)
        switch (start, end) {
        case let (s?, e?) where s != e: return "\(s) to \(e)"
        case let (s?, _): return s
        case let (nil, e?): return "until \(e)"
        default: return nil
        }
    }

    /// A FHIR number's text as written.
    public static func number(_ value: JSONValue?) -> String? {
        if case .number(let text)? = value { return text }
        return nil
    }

    /// A status code in words ("entered-in-error" → "Entered in error").
    public static func status(_ code: String?) -> String? {
        guard let code = nonEmpty(code) else { return nil }
        let words = code.replacingOccurrences(of: "-", with: " ")
        return words.prefix(1).uppercased() + words.dropFirst()
    }

    static func nonEmpty(_ text: String?) -> String? {
        guard let text, !text.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
        return text
    }
}
