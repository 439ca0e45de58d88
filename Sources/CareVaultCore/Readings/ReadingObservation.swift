import Foundation

/// Readings as FHIR R4 vital-signs Observations: LOINC code, UCUM quantity, blood pressure as the
/// systolic/diastolic components of the panel, position in the standard body-position extension.
/// Reads back any Observation of a known measure, whoever recorded it, as a chart point.
public enum ReadingObservation {
    public static let bodyPositionExtension = "http://hl7.org/fhir/StructureDefinition/observation-bodyPosition"
    public static let glucoseTimingExtension = "urn:carevault:fhir:glucose-timing"
    static let systolic = ("8480-6", "Systolic blood pressure")
    static let diastolic = ("8462-4", "Diastolic blood pressure")

    /// The Observation for a patient's reading; `performer` is the patient (or the proxy) who took it.
    public static func json(_ reading: Reading, id: String, patient: String, performer: String, recorded: String) -> JSONValue {
        let patientRef = JSONValue.object([("reference", .string("Patient/\(patient)"))])
        var members: [(key: String, value: JSONValue)] = [
            ("resourceType", .string("Observation")),
            ("id", .string(id)),
            ("meta", .object([("versionId", .string("1")), ("lastUpdated", .string(recorded))])),
        ]
        var extensions: [JSONValue] = []
        if let position = reading.position {
            extensions.append(.object([("url", .string(bodyPositionExtension)), ("valueCodeableConcept", concept("http://snomed.info/sct", position.snomed.code, position.snomed.display))]))
        }
        if let timing = reading.timing {
            extensions.append(.object([("url", .string(glucoseTimingExtension)), ("valueCode", .string(timing.rawValue))]))
        }
        if !extensions.isEmpty { members.append(("extension", .array(extensions))) }
        let code = reading.measure == .glucose && reading.unit.ucum == "mmol/L"
            ? ("15074-8", "Glucose [Moles/volume] in Blood") : reading.measure.code
        members += [
            ("status", .string("final")),
            ("category", .array([.object([
                ("coding", .array([.object([("system", .string("http://terminology.hl7.org/CodeSystem/observation-category")),
                                            ("code", .string("vital-signs")), ("display", .string("Vital Signs"))])])),
                ("text", .string("Vital signs")),
            ])])),
            ("code", .object([("coding", .array([.object([("system", .string(ReadingMeasure.loinc)), ("code", .string(code.0)), ("display", .string(code.1))])])),
                              ("text", .string(reading.measure.title))])),
            ("subject", patientRef),
            ("effectiveDateTime", .string(reading.effective)),
            ("issued", .string(recorded)),
            ("performer", .array([.object([("reference", .string(performer))])])),
        ]
        if let low = reading.diastolic {
            members.append(("component", .array([
                .object([("code", concept(ReadingMeasure.loinc, systolic.0, systolic.1)), ("valueQuantity", quantity(reading.value, reading.unit))]),
                .object([("code", concept(ReadingMeasure.loinc, diastolic.0, diastolic.1)), ("valueQuantity", quantity(low, reading.unit))]),
            ])))
        } else {
            members.append(("valueQuantity", quantity(reading.value, reading.unit)))
        }
        return .object(members)
    }

    /// A reading found in the record, from the patient or the clinic, in the measure's chart unit.
    public struct Point: Sendable, Equatable {
        public let measure: ReadingMeasure
        /// Milliseconds since 1970 (the start of the effective time).
        public let time: Int64
        public let effective: String
        public let value: Double
        public let diastolic: Double?
        /// As recorded: "128/82 mmHg".
        public let display: String
        /// The body position or meal timing as the CSV writes it (`sitting`, `after-meal`).
        public let contextCode: String?

        /// "Sitting", "After a meal"…
        public var context: String? {
            contextCode.flatMap { BodyPosition(rawValue: $0)?.title ?? GlucoseTiming(rawValue: $0)?.title }
        }
    }

    /// The chart point of an Observation of a known measure with a numeric value; nil for anything else.
    public static func point(from json: JSONValue) -> Point? {
        guard json["resourceType"]?.stringValue == "Observation",
              let codes = json["code"]?["coding"]?.arrayValue,
              let measure = codes.lazy.compactMap({ c -> ReadingMeasure? in
                  c["system"]?.stringValue == ReadingMeasure.loinc ? c["code"]?.stringValue.flatMap(ReadingMeasure.init(loinc:)) : nil
              }).first,
              let effective = json["effectiveDateTime"]?.stringValue ?? json["effectivePeriod"]?["start"]?.stringValue ?? json["effectiveInstant"]?.stringValue,
              let time = FHIRInstant.range(effective)?.lowerBound
        else { return nil }
        var context: String?
        for ext in json["extension"]?.arrayValue ?? [] {
            if ext["url"]?.stringValue == bodyPositionExtension,
               let code = ext["valueCodeableConcept"]?["coding"]?.arrayValue?.first?["code"]?.stringValue {
                context = BodyPosition(snomed: code)?.rawValue
            }
            if ext["url"]?.stringValue == glucoseTimingExtension, let code = ext["valueCode"]?.stringValue {
                context = GlucoseTiming(rawValue: code)?.rawValue
            }
        }
        if measure == .bloodPressure {
            var top: (Double, String, ReadingMeasure.Unit)?, bottom: (Double, String, ReadingMeasure.Unit)?
            for component in json["component"]?.arrayValue ?? [] {
                let code = component["code"]?["coding"]?.arrayValue?.compactMap { $0["code"]?.stringValue } ?? []
                guard let q = value(component["valueQuantity"], measure) else { continue }
                if code.contains(systolic.0) { top = q }
                if code.contains(diastolic.0) { bottom = q }
            }
            guard let top, let bottom else { return nil }
            // Blood pressure is read in whole mmHg, also when a device or system recorded decimals.
            func whole(_ text: String) -> String { Double(text).map { String(Int($0.rounded())) } ?? text }
            return Point(measure: measure, time: time, effective: effective, value: top.0, diastolic: bottom.0,
                         display: "\(whole(top.1))/\(whole(bottom.1)) \(top.2.display)", contextCode: context)
        }
        guard let q = value(json["valueQuantity"], measure) else { return nil }
        return Point(measure: measure, time: time, effective: effective, value: q.0, diastolic: nil,
                     display: "\(FHIRText.readableNumber(q.1)) \(q.2.display)", contextCode: context)
    }

    /// A quantity's value in the chart unit, its text, and its unit; nil when the unit is not one the measure knows.
    static func value(_ quantity: JSONValue?, _ measure: ReadingMeasure) -> (Double, String, ReadingMeasure.Unit)? {
        guard let quantity, case .number(let text)? = quantity["value"], let number = Double(text) else { return nil }
        let unitCode = quantity["code"]?.stringValue ?? quantity["unit"]?.stringValue ?? ""
        let unit: ReadingMeasure.Unit?
        if unitCode == "{beats}/min" || unitCode == "beats/minute" { unit = measure.units.first } else { unit = measure.unit(ucum: unitCode) }
        guard let unit else { return nil }
        return (unit.toChartUnit(number), text, unit)
    }

    static func concept(_ system: String, _ code: String, _ display: String) -> JSONValue {
        .object([("coding", .array([.object([("system", .string(system)), ("code", .string(code)), ("display", .string(display))])]))])
    }

    static func quantity(_ value: String, _ unit: ReadingMeasure.Unit) -> JSONValue {
        .object([("value", .number(value)), ("unit", .string(unit.display)), ("system", .string(ReadingMeasure.ucum)), ("code", .string(unit.ucum))])
    }
}
