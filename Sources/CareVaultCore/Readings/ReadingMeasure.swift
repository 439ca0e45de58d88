import Foundation

/// Something a patient measures at home: its LOINC code, the UCUM units people use for it, the
/// range a real value can fall in (anything outside is a typing mistake), the guideline band a
/// chart shades, and the range outside which a clinician should look at it.
public enum ReadingMeasure: String, Sendable, CaseIterable, Codable {
    case bloodPressure = "blood-pressure"
    case heartRate = "heart-rate"
    case weight
    case height
    case temperature
    case glucose
    case oxygen
    case steps

    /// A unit people enter values in, and how to turn it into the measure's chart unit.
    public struct Unit: Sendable, Equatable {
        /// The UCUM code stored in the record (`mm[Hg]`, `[lb_av]`).
        public let ucum: String
        /// How people write it (`mmHg`, `lb`).
        public let display: String
        /// Other spellings accepted in forms and CSV files (lower-cased).
        public let aliases: [String]
        /// The value in the chart unit: `value * factor + offset`.
        let factor: Double
        let offset: Double

        init(_ ucum: String, _ display: String, aliases: [String] = [], factor: Double = 1, offset: Double = 0) {
            self.ucum = ucum
            self.display = display
            self.aliases = aliases
            self.factor = factor
            self.offset = offset
        }

        public func toChartUnit(_ value: Double) -> Double { value * factor + offset }
        public func fromChartUnit(_ value: Double) -> Double { (value - offset) / factor }
    }

    /// A shaded band on the chart, in the chart unit.
    public struct Band: Sendable, Equatable {
        public let label: String
        public let low: Double?
        public let high: Double?
        /// `normal`, `caution` or `high`: the chart's colour for it.
        public let tone: String
    }

    public static let loinc = "http://loinc.org"
    public static let ucum = "http://unitsofmeasure.org"

    /// "Blood pressure".
    public var title: String {
        switch self {
        case .bloodPressure: "Blood pressure"
        case .heartRate: "Heart rate"
        case .weight: "Weight"
        case .height: "Height"
        case .temperature: "Body temperature"
        case .glucose: "Blood sugar (glucose)"
        case .oxygen: "Oxygen level (SpO2)"
        case .steps: "Steps"
        }
    }

    /// The LOINC code and display the reading is stored with (for glucose, the one for mg/dL).
    public var code: (code: String, display: String) {
        switch self {
        case .bloodPressure: ("85354-9", "Blood pressure panel with all children optional")
        case .heartRate: ("8867-4", "Heart rate")
        case .weight: ("29463-7", "Body weight")
        case .height: ("8302-2", "Body height")
        case .temperature: ("8310-5", "Body temperature")
        case .glucose: ("2339-0", "Glucose [Mass/volume] in Blood")
        case .oxygen: ("59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry")
        case .steps: ("41950-7", "Number of steps in 24 hour Measured")
        }
    }

    /// Every LOINC code that records this measure, ours first: clinic systems use some of the others.
    public var recognizedCodes: [String] {
        switch self {
        case .bloodPressure: ["85354-9", "55284-4"]
        case .glucose: ["2339-0", "15074-8", "2345-7", "41653-7"]
        case .oxygen: ["59408-5", "2708-6"]
        case .heartRate: ["8867-4"]
        default: [code.code]
        }
    }

    /// The measure a LOINC code records, if it is one of ours.
    public init?(loinc code: String) {
        guard let measure = Self.allCases.first(where: { $0.recognizedCodes.contains(code) }) else { return nil }
        self = measure
    }

    /// The units offered, the chart unit first.
    public var units: [Unit] {
        switch self {
        case .bloodPressure: [Unit("mm[Hg]", "mmHg", aliases: ["mmhg", "mm hg", "mm[hg]"])]
        case .heartRate: [Unit("/min", "beats per minute", aliases: ["bpm", "/min", "beats/min", "per minute"])]
        case .weight: [Unit("kg", "kg", aliases: ["kg", "kgs", "kilograms"]),
                       Unit("[lb_av]", "lb", aliases: ["lb", "lbs", "pounds", "[lb_av]"], factor: 0.45359237)]
        case .height: [Unit("cm", "cm", aliases: ["cm", "centimetres", "centimeters"]),
                       Unit("[in_i]", "in", aliases: ["in", "inch", "inches", "[in_i]"], factor: 2.54)]
        case .temperature: [Unit("Cel", "°C", aliases: ["°c", "c", "cel", "celsius"]),
                            Unit("[degF]", "°F", aliases: ["°f", "f", "[degf]", "fahrenheit"], factor: 5.0 / 9.0, offset: -32 * 5.0 / 9.0)]
        case .glucose: [Unit("mg/dL", "mg/dL", aliases: ["mg/dl"]),
                        Unit("mmol/L", "mmol/L", aliases: ["mmol/l"], factor: 18.016)]
        case .oxygen: [Unit("%", "%", aliases: ["%", "percent"])]
        case .steps: [Unit("/d", "steps", aliases: ["steps", "/d", "steps/day"])]
        }
    }

    /// The unit a text names (`lbs`, `°F`), among this measure's.
    public func unit(named text: String) -> Unit? {
        let key = text.trimmingCharacters(in: .whitespaces).lowercased()
        if key.isEmpty { return units.count == 1 ? units[0] : nil }
        return units.first { $0.aliases.contains(key) || $0.ucum.lowercased() == key || $0.display.lowercased() == key }
    }

    /// The unit of a stored UCUM code.
    public func unit(ucum code: String) -> Unit? { units.first { $0.ucum == code } ?? unit(named: code) }

    /// Values a body (or a step counter) can really show, in the chart unit; outside is a mistake.
    /// For blood pressure, the systolic range (diastolic is ``diastolicRange``).
    public var plausibleRange: ClosedRange<Double> {
        switch self {
        case .bloodPressure: 50...300
        case .heartRate: 20...300
        case .weight: 0.5...650
        case .height: 20...280
        case .temperature: 25...46
        case .glucose: 10...1500
        case .oxygen: 50...100
        case .steps: 0...100_000
        }
    }

    public static let diastolicRange: ClosedRange<Double> = 20...200

    /// What the chart shades (guidelines for adults; the page says so).
    public var bands: [Band] {
        switch self {
        case .bloodPressure: [
            Band(label: "Normal (top number below 120)", low: nil, high: 120, tone: "normal"),
            Band(label: "Raised (120 to 139)", low: 120, high: 140, tone: "caution"),
            Band(label: "High (140 or more)", low: 140, high: nil, tone: "high"),
        ]
        case .heartRate: [Band(label: "Usual resting range (60 to 100)", low: 60, high: 100, tone: "normal")]
        case .temperature: [Band(label: "Usual range (36.1 to 37.2 °C)", low: 36.1, high: 37.2, tone: "normal")]
        case .glucose: [Band(label: "Target range (70 to 180 mg/dL)", low: 70, high: 180, tone: "normal")]
        case .oxygen: [Band(label: "Usual range (95 to 100 %)", low: 95, high: 100, tone: "normal")]
        case .weight, .height, .steps: []
        }
    }

    /// Readings outside this range (chart unit) go to the care team's review queue. For blood pressure,
    /// the systolic range; the diastolic one is ``diastolicAttentionRange``.
    public var attentionRange: ClosedRange<Double>? {
        switch self {
        case .bloodPressure: 90...139.999
        case .heartRate: 50...120
        case .temperature: 35.5...37.999
        case .glucose: 70...250
        case .oxygen: 92...100
        case .weight, .height, .steps: nil
        }
    }

    public static let diastolicAttentionRange: ClosedRange<Double> = 40...89.999

    /// The attention range in words, for the page that explains what is sent for review.
    public var attentionText: String? {
        switch self {
        case .bloodPressure: "top number below 90 or 140 and above, or bottom number below 40 or 90 and above"
        case .heartRate: "below 50 or above 120 beats per minute"
        case .temperature: "below 35.5 °C or 38 °C and above"
        case .glucose: "below 70 or above 250 mg/dL"
        case .oxygen: "below 92 %"
        case .weight, .height, .steps: nil
        }
    }

    /// Names a CSV file may use for the measure (lower-cased).
    public var csvNames: [String] {
        switch self {
        case .bloodPressure: ["blood-pressure", "blood pressure", "bp"]
        case .heartRate: ["heart-rate", "heart rate", "pulse", "hr"]
        case .weight: ["weight"]
        case .height: ["height"]
        case .temperature: ["temperature", "body temperature", "temp"]
        case .glucose: ["glucose", "blood sugar", "blood glucose"]
        case .oxygen: ["oxygen", "spo2", "oxygen saturation"]
        case .steps: ["steps"]
        }
    }

    public init?(csvName: String) {
        let key = csvName.trimmingCharacters(in: .whitespaces).lowercased()
        guard let measure = Self.allCases.first(where: { $0.csvNames.contains(key) }) else { return nil }
        self = measure
    }

    /// How many decimals a value of this measure is shown with.
    public var decimals: Int {
        switch self {
        case .bloodPressure, .heartRate, .steps, .oxygen: 0
        case .weight, .height, .temperature: 1
        case .glucose: 1
        }
    }
}

/// Where a blood pressure was taken from: the body position (SNOMED CT, as the FHIR
/// observation-bodyPosition extension records it).
public enum BodyPosition: String, Sendable, CaseIterable {
    case sitting, standing, lying

    public var snomed: (code: String, display: String) {
        switch self {
        case .sitting: ("33586001", "Sitting position")
        case .standing: ("10904000", "Orthostatic body position")
        case .lying: ("102538003", "Recumbent body position")
        }
    }

    public var title: String { rawValue.capitalized }

    public init?(snomed code: String) {
        guard let position = Self.allCases.first(where: { $0.snomed.code == code }) else { return nil }
        self = position
    }
}

/// When a blood sugar was measured, relative to meals.
public enum GlucoseTiming: String, Sendable, CaseIterable {
    case fasting
    case beforeMeal = "before-meal"
    case afterMeal = "after-meal"
    case other

    public var title: String {
        switch self {
        case .fasting: "Fasting"
        case .beforeMeal: "Before a meal"
        case .afterMeal: "After a meal"
        case .other: "Other time"
        }
    }

    public init?(csvName: String) {
        let key = csvName.trimmingCharacters(in: .whitespaces).lowercased().replacingOccurrences(of: " ", with: "-")
        guard let timing = Self.allCases.first(where: { $0.rawValue == key }) else { return nil }
        self = timing
    }
}
