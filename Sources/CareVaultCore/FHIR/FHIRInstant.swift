import Foundation

/// FHIR date and dateTime values (`YYYY`, `YYYY-MM`, `YYYY-MM-DD`, or a full time with a zone) as the
/// range of instants they cover, in milliseconds since 1970 UTC.
public enum FHIRInstant {
    /// The first and last millisecond the value covers, or nil if it is not a FHIR date/dateTime.
    public static func range(_ text: String) -> ClosedRange<Int64>? {
        let parts = text.split(separator: "T", maxSplits: 1, omittingEmptySubsequences: false)
        guard let datePart = parts.first, !datePart.isEmpty, text.count <= 40 else { return nil }
        let date = datePart.split(separator: "-", omittingEmptySubsequences: false)
        guard (1...3).contains(date.count), date[0].count == 4, let year = Int(date[0]),
              date.dropFirst().allSatisfy({ $0.count == 2 && Int($0) != nil })
        else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let month = date.count > 1 ? Int(date[1])! : nil
        let day = date.count > 2 ? Int(date[2])! : nil
        if let month, !(1...12).contains(month) { return nil }
        if parts.count == 1 {
            guard let start = calendar.date(from: DateComponents(year: year, month: month ?? 1, day: day ?? 1)) else { return nil }
            if let day, calendar.component(.day, from: start) != day { return nil }
            let unit: Calendar.Component = day != nil ? .day : (month != nil ? .month : .year)
            let end = calendar.date(byAdding: unit, value: 1, to: start)!
            return Clock.ms(start)...(Clock.ms(end) - 1)
        }
        guard day != nil, parts.count == 2, !parts[1].isEmpty else { return nil }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let plain = ISO8601DateFormatter()
        guard let instant = formatter.date(from: text) ?? plain.date(from: text) else { return nil }
        return Clock.ms(instant)...Clock.ms(instant)
    }

    enum Clock {
        static func ms(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }
    }
}
