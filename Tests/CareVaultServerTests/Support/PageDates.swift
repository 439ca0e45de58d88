import Foundation

/// Reads the dates pages show in words ("December 18, 2019") back as ISO days, so tests can sort
/// and compare them.
enum PageDates {
    static func iso(_ words: String) -> String {
        let reader = DateFormatter()
        reader.locale = Locale(identifier: "en_US_POSIX")
        reader.timeZone = TimeZone(identifier: "UTC")
        reader.dateFormat = "MMMM d, yyyy"
        guard let date = reader.date(from: words) else { return "unreadable: \(words)" }
        reader.dateFormat = "yyyy-MM-dd"
        return reader.string(from: date)
    }
}
