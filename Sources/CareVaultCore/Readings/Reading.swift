import Foundation

/// One checked reading a patient took: the measure, the value in the unit they used, when, and
/// for blood pressure the body position, for blood sugar the timing against meals.
public struct Reading: Sendable, Equatable {
    public let measure: ReadingMeasure
    /// The value as entered (normalized: `72.5`); for blood pressure the top (systolic) number.
    public let value: String
    /// The bottom (diastolic) number of a blood pressure.
    public let diastolic: String?
    public let unit: ReadingMeasure.Unit
    /// When, as a FHIR dateTime: a day, or a local time with its offset.
    public let effective: String
    public let position: BodyPosition?
    public let timing: GlucoseTiming?

    public init(measure: ReadingMeasure, value: String, diastolic: String? = nil, unit: ReadingMeasure.Unit, effective: String,
                position: BodyPosition? = nil, timing: GlucoseTiming? = nil) {
        self.measure = measure
        self.value = value
        self.diastolic = diastolic
        self.unit = unit
        self.effective = effective
        self.position = position
        self.timing = timing
    }

    /// The value in the measure's chart unit.
    public var chartValue: Double { unit.toChartUnit(Double(value) ?? 0) }
    public var chartDiastolic: Double? { diastolic.flatMap(Double.init).map(unit.toChartUnit) }

    /// "128/82 mmHg", "72.5 kg".
    public var displayValue: String {
        (diastolic.map { "\(value)/\($0)" } ?? value) + " " + unit.display
    }

    /// Why a clinician should look at it, or nil when it is inside the attention range.
    public var attentionReason: String? {
        guard let range = measure.attentionRange else { return nil }
        var outside = !range.contains(chartValue)
        if let low = chartDiastolic { outside = outside || !ReadingMeasure.diastolicAttentionRange.contains(low) }
        guard outside, let text = measure.attentionText else { return nil }
        return "\(measure.title) \(displayValue) is outside the range the care team asked to see (\(text))."
    }
}

/// A reading as typed into a form or a CSV row, before it is checked.
public struct ReadingInput: Sendable {
    public var measure: ReadingMeasure
    public var value: String
    public var diastolic: String
    public var unit: String
    public var date: String
    public var time: String
    /// Body position (blood pressure) or timing against meals (blood sugar); empty if not given.
    public var context: String

    public init(measure: ReadingMeasure, value: String, diastolic: String = "", unit: String = "", date: String, time: String = "", context: String = "") {
        self.measure = measure
        self.value = value
        self.diastolic = diastolic
        self.unit = unit
        self.date = date
        self.time = time
        self.context = context
    }

    /// The field names problems are reported under (forms use them as they are; CSV rows name columns).
    public enum Field: String, Sendable {
        case value, diastolic, unit, date, time, context
    }

    /// The checked reading, or every problem with it, each naming its field.
    public func check(now: Date, timeZone: TimeZone) -> Result<Reading, ValidationFailure> {
        var errors: [FieldError] = []
        func fail(_ field: Field, _ message: String) { errors.append(FieldError(field: field.rawValue, message: message)) }

        let unit = measure.unit(named: unit)
        if unit == nil {
            fail(.unit, "Choose the unit: \(measure.units.map(\.display).joined(separator: " or ")).")
        }
        let top = Self.number(value, integer: measure == .steps)
        var bottom: String?
        let label = measure == .bloodPressure ? "the top number (systolic)" : "the \(measure.title.lowercased())"
        if value.trimmingCharacters(in: .whitespaces).isEmpty {
            fail(.value, "Enter \(label).")
        } else if top == nil {
            fail(.value, measure == .steps ? "Enter the steps as a whole number, for example 8250." : "Enter \(label) as a number, for example \(example).")
        }
        if measure == .bloodPressure {
            if diastolic.trimmingCharacters(in: .whitespaces).isEmpty {
                fail(.diastolic, "Enter the bottom number (diastolic).")
            } else if let low = Self.number(diastolic, integer: false) {
                bottom = low
            } else {
                fail(.diastolic, "Enter the bottom number (diastolic) as a number, for example 82.")
            }
        }
        if let top, let unit, let number = Double(top) {
            let chart = unit.toChartUnit(number)
            let range = measure.plausibleRange
            if !range.contains(chart) {
                let low = Self.format(unit.fromChartUnit(range.lowerBound)), high = Self.format(unit.fromChartUnit(range.upperBound))
                fail(.value, "\(label.prefix(1).uppercased() + label.dropFirst()) must be between \(low) and \(high) \(unit.display). Check for a typing mistake.")
            }
            if let bottom, let low = Double(bottom) {
                let dia = ReadingMeasure.diastolicRange
                if !dia.contains(low) {
                    fail(.diastolic, "The bottom number (diastolic) must be between \(Int(dia.lowerBound)) and \(Int(dia.upperBound)) mmHg.")
                } else if low >= chart {
                    fail(.diastolic, "The bottom number (diastolic) must be lower than the top number (systolic). Check they are not swapped.")
                }
            }
        }

        var position: BodyPosition?, timing: GlucoseTiming?
        let contextText = context.trimmingCharacters(in: .whitespaces).lowercased()
        if !contextText.isEmpty {
            switch measure {
            case .bloodPressure:
                position = BodyPosition(rawValue: contextText)
                if position == nil { fail(.context, "Choose how you were positioned: sitting, standing or lying.") }
            case .glucose:
                timing = GlucoseTiming(csvName: contextText)
                if timing == nil { fail(.context, "Choose when you measured: fasting, before-meal, after-meal or other.") }
            default:
                fail(.context, "Leave the context empty for \(measure.title.lowercased()); it is only for blood pressure and blood sugar.")
            }
        }

        let effective = Self.effective(date: date, time: time, now: now, timeZone: timeZone, fail: fail)
        guard errors.isEmpty, let top, let unit, let effective else { return .failure(ValidationFailure(errors)) }
        return .success(Reading(measure: measure, value: top, diastolic: bottom, unit: unit, effective: effective, position: position, timing: timing))
    }

    private var example: String {
        switch measure {
        case .bloodPressure: "128"
        case .heartRate: "72"
        case .weight: "72.5"
        case .height: "170"
        case .temperature: "36.8"
        case .glucose: "95"
        case .oxygen: "97"
        case .steps: "8250"
        }
    }

    /// A plain decimal (`72.5`, `72,5`), normalized; nil for anything else (signs, exponents, words).
    static func number(_ text: String, integer: Bool) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: ",", with: ".")
        let parts = trimmed.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), !parts[0].isEmpty, parts[0].count <= 6, parts.allSatisfy({ $0.allSatisfy(\.isASCIIDigit) }),
              parts.count == 1 || (!parts[1].isEmpty && parts[1].count <= 3 && !integer)
        else { return nil }
        let whole = parts[0].drop { $0 == "0" }
        return (whole.isEmpty ? "0" : String(whole)) + (parts.count == 2 ? "." + parts[1] : "")
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value)
    }

    /// The FHIR dateTime for a day and optional time (HH:MM) in `timeZone`; not in the future, not before 1900.
    static func effective(date: String, time: String, now: Date, timeZone: TimeZone, fail: (Field, String) -> Void) -> String? {
        let day = date.trimmingCharacters(in: .whitespaces)
        guard let parsed = BirthDate(day) else {
            fail(.date, day.isEmpty ? "Enter the date you took the reading, for example 2026-03-14." : "Enter the date as year-month-day, for example 2026-03-14.")
            return nil
        }
        let clock = time.trimmingCharacters(in: .whitespaces)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        guard parsed.year >= 1900 else {
            fail(.date, "Enter a date after 1900.")
            return nil
        }
        var components = DateComponents(year: parsed.year, month: parsed.month, day: parsed.day)
        if !clock.isEmpty {
            let parts = clock.split(separator: ":", omittingEmptySubsequences: false)
            guard (2...3).contains(parts.count), let hour = Int(parts[0]), let minute = Int(parts[1]), (0...23).contains(hour), (0...59).contains(minute),
                  parts[1].count == 2, parts.count == 2 || Int(parts[2]).map({ (0...59).contains($0) }) == true
            else {
                fail(.time, "Enter the time as hours and minutes on a 24-hour clock, for example 07:30 or 19:45.")
                return nil
            }
            components.hour = hour
            components.minute = minute
        }
        guard let instant = calendar.date(from: components) else {
            fail(.date, "Enter a real date, for example 2026-03-14.")
            return nil
        }
        let startOfToday = calendar.startOfDay(for: now)
        if clock.isEmpty ? instant > startOfToday : instant > now.addingTimeInterval(300) {
            fail(clock.isEmpty ? .date : .time, "The reading cannot be in the future.")
            return nil
        }
        guard let hour = components.hour, let minute = components.minute else { return parsed.description }
        let offset = timeZone.secondsFromGMT(for: instant) / 60
        let sign = offset < 0 ? "-" : "+"
        return String(format: "%@T%02d:%02d:00%@%02d:%02d", parsed.description, hour, minute, sign, abs(offset) / 60, abs(offset) % 60)
    }
}

extension Character {
    /// One of 0–9 alone: a digit with a combining mark after it ("2" + U+065B) sorts between "0" and "9"
    /// as a Character, but is not a digit (found by FuzzReadingsCSV).
    var isASCIIDigit: Bool { unicodeScalars.count == 1 && ("0"..."9").contains(unicodeScalars.first!) }
}
