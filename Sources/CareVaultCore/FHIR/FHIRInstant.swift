/// FHIR date and dateTime values (`YYYY`, `YYYY-MM`, `YYYY-MM-DD`, or a full time with a zone) as the
/// range of instants they cover, in milliseconds since 1970 UTC.
///
/// Plain arithmetic on the proleptic Gregorian calendar: Foundation's date formatters build ICU
/// objects on every call, which made date parsing half of an import's CPU time.
public enum FHIRInstant {
    /// The first and last millisecond the value covers, or nil if it is not a FHIR date/dateTime.
    public static func range(_ text: String) -> ClosedRange<Int64>? {
        let s = Array(text.utf8)
        guard s.count >= 4, s.count <= 40, let year = number(s, 0, 4), year >= 1 else { return nil }
        if s.count == 4 { return span(year, 1, 1, years: 1) }
        guard s.count >= 7, s[4] == UInt8(ascii: "-"), let month = number(s, 5, 2), (1...12).contains(month) else { return nil }
        if s.count == 7 { return span(year, month, 1, months: 1) }
        guard s.count >= 10, s[7] == UInt8(ascii: "-"), let day = number(s, 8, 2), day >= 1, day <= daysIn(year, month) else { return nil }
        let midnight = daysFromCivil(year, month, day) * 86_400_000
        if s.count == 10 { return midnight...(midnight + 86_399_999) }
        // hh:mm:ss[.fff…](Z|±hh:mm)
        guard s.count >= 20, s[10] == UInt8(ascii: "T"), let hour = number(s, 11, 2), hour <= 23, s[13] == UInt8(ascii: ":"),
              let minute = number(s, 14, 2), minute <= 59, s[16] == UInt8(ascii: ":"), let second = number(s, 17, 2), second <= 60
        else { return nil }
        var i = 19
        var millis: Int64 = 0
        if s[i] == UInt8(ascii: ".") {
            i += 1
            let start = i
            while i < s.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(s[i]) {
                if i - start < 3 { millis = millis * 10 + Int64(s[i] - UInt8(ascii: "0")) }
                i += 1
            }
            guard i > start else { return nil }
            for _ in 0..<max(0, 3 - (i - start)) { millis *= 10 }
        }
        var offsetMinutes: Int64 = 0
        if i == s.count - 1, s[i] == UInt8(ascii: "Z") {
        } else if i == s.count - 6, s[i] == UInt8(ascii: "+") || s[i] == UInt8(ascii: "-"), let zh = number(s, i + 1, 2), zh <= 14,
                  s[i + 3] == UInt8(ascii: ":"), let zm = number(s, i + 4, 2), zm <= 59 {
            offsetMinutes = (s[i] == UInt8(ascii: "-") ? -1 : 1) * (zh * 60 + zm)
        } else {
            return nil
        }
        let instant = midnight + ((hour * 60 + minute - offsetMinutes) * 60 + second) * 1000 + millis
        return instant...instant
    }

    private static func number(_ s: [UInt8], _ from: Int, _ count: Int) -> Int64? {
        guard from + count <= s.count else { return nil }
        var value: Int64 = 0
        for byte in s[from..<(from + count)] {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
            value = value * 10 + Int64(byte - UInt8(ascii: "0"))
        }
        return value
    }

    private static func span(_ year: Int64, _ month: Int64, _ day: Int64, years: Int64 = 0, months: Int64 = 0) -> ClosedRange<Int64> {
        let start = daysFromCivil(year, month, day) * 86_400_000
        let next = months == 0 ? daysFromCivil(year + years, 1, 1) : (month == 12 ? daysFromCivil(year + 1, 1, 1) : daysFromCivil(year, month + 1, 1))
        return start...(next * 86_400_000 - 1)
    }

    static func daysIn(_ year: Int64, _ month: Int64) -> Int64 {
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][Int(month - 1)]
    }

    /// Days since 1970-01-01 of a Gregorian date (Howard Hinnant's `days_from_civil`).
    static func daysFromCivil(_ year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
