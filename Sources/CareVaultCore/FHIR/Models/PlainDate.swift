import Foundation

/// Dates and times in words for pages and printouts: "December 18, 2019", "December 2019",
/// "December 18, 2019, 7:30 AM".
///
/// `2019-12-18` reads as a code to many patients, and `12/18/2019` means the 12th of a month to
/// most of the world; a month named in full is unambiguous and is what plain-language guides ask
/// for. Machine formats (CSV, FHIR, file names, date inputs) keep ISO 8601.
public enum PlainDate {
    static let months = ["January", "February", "March", "April", "May", "June",
                         "July", "August", "September", "October", "November", "December"]

    /// A FHIR date or dateTime's day in words, to the precision it was recorded with
    /// ("2019" → "2019", "2019-12" → "December 2019"). Text that is not a FHIR date is returned as written.
    public static func day(_ text: String) -> String {
        guard let parts = parts(text) else { return text }
        return words(year: parts.year, month: parts.month, day: parts.day)
    }

    /// The day and the clock time as recorded ("2026-11-20T07:30:00+01:00" → "November 20, 2026, 7:30 AM"),
    /// or the day alone when no time was recorded. The time is the one the reading was taken at, in its own zone.
    public static func dayAndTime(_ text: String) -> String {
        let day = day(text)
        let bytes = Array(text.utf8)
        guard bytes.count >= 16, bytes[10] == UInt8(ascii: "T"), bytes[13] == UInt8(ascii: ":"),
              let hour = number(bytes[11..<13]), let minute = number(bytes[14..<16]), hour < 24, minute < 60
        else { return day }
        return day + ", " + clock(hour: hour, minute: minute)
    }

    /// An instant, for times CareVault itself recorded (sign-ins, uploads, reviews), in the clinic's
    /// time zone and named: "December 2, 2026, 7:07 AM Chicago time" ("… UTC" by default).
    public static func instant(_ date: Date, in zone: TimeZone = utc) -> String {
        let (day, secondOfDay) = localDay(date, zone)
        return day + ", " + clock(hour: secondOfDay / 3600, minute: secondOfDay % 3600 / 60) + " " + name(of: zone, at: date)
    }

    /// An instant's day in words, in `zone`: "December 2, 2026".
    public static func day(_ date: Date, in zone: TimeZone = utc) -> String { localDay(date, zone).day }

    public static let utc = TimeZone(identifier: "UTC")!

    /// "UTC" for UTC under any of its names; "Chicago time" for a zone named by its city (summer
    /// time included, as people say it); else the offset ("GMT-5"). Linux's Foundation has no
    /// abbreviations like "CST", and those are ambiguous anyway (China, Cuba, Central).
    private static func name(of zone: TimeZone, at date: Date) -> String {
        let id = zone.identifier
        if ["UTC", "GMT", "Etc/UTC", "Etc/GMT", "Etc/Universal", "Universal", "Zulu"].contains(id) { return "UTC" }
        if let slash = id.lastIndex(of: "/"), !id.hasPrefix("Etc/") {
            return id[id.index(after: slash)...].replacingOccurrences(of: "_", with: " ") + " time"
        }
        return zone.abbreviation(for: date) ?? id
    }

    private static func localDay(_ date: Date, _ zone: TimeZone) -> (day: String, secondOfDay: Int) {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down)) + zone.secondsFromGMT(for: date)
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let civil = civil(fromDays: days)
        return (words(year: civil.year, month: civil.month, day: civil.day), seconds - days * 86_400)
    }

    private static func words(year: Int, month: Int?, day: Int?) -> String {
        guard let month else { return String(year) }
        guard let day else { return "\(months[month - 1]) \(year)" }
        return "\(months[month - 1]) \(day), \(year)"
    }

    private static func clock(hour: Int, minute: Int) -> String {
        let twelve = hour % 12 == 0 ? 12 : hour % 12
        return "\(twelve):\(minute < 10 ? "0" : "")\(minute) \(hour < 12 ? "AM" : "PM")"
    }

    /// YYYY, YYYY-MM or YYYY-MM-DD at the start of `text`, checked against the calendar.
    private static func parts(_ text: String) -> (year: Int, month: Int?, day: Int?)? {
        let bytes = Array(text.utf8.prefix(10))
        guard bytes.count >= 4, let year = number(bytes[0..<4]) else { return nil }
        if bytes.count == 4 { return text.utf8.count == 4 ? (year, nil, nil) : nil }
        guard bytes.count >= 7, bytes[4] == UInt8(ascii: "-"), let month = number(bytes[5..<7]), (1...12).contains(month) else { return nil }
        if bytes.count == 7 { return text.utf8.count == 7 ? (year, month, nil) : nil }
        guard bytes.count == 10, bytes[7] == UInt8(ascii: "-"), let day = number(bytes[8..<10]),
              day >= 1, day <= Int(FHIRInstant.daysIn(Int64(year), Int64(month)))
        else { return nil }
        return (year, month, day)
    }

    private static func number(_ digits: ArraySlice<UInt8>) -> Int? {
        var value = 0
        for byte in digits {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }

    /// Howard Hinnant's `civil_from_days`: the Gregorian date of a day count since 1970-01-01.
    private static func civil(fromDays count: Int) -> (year: Int, month: Int, day: Int) {
        let z = count + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shifted = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shifted + 2) / 5 + 1
        let month = shifted < 10 ? shifted + 3 : shifted - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
