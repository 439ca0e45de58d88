import Foundation

extension BirthDate {
    /// Whole years of age at `instant` on the calendar of `timeZone` (the clinic's): a birthday begins
    /// at local midnight. Someone born on 29 February has their birthday on 1 March in other years.
    /// Computed on each request, never stored.
    public func age(at instant: Date, in timeZone: TimeZone) -> Int {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let today = calendar.dateComponents([.year, .month, .day], from: instant)
        let (year, month, day) = (today.year!, today.month!, today.day!)
        let birthday = birthday(in: year)
        return year - self.year - ((month, day) < (birthday.month, birthday.day) ? 1 : 0)
    }

    /// The instant this person turns `years` old in `timeZone`: local midnight of that birthday.
    public func instant(turning years: Int, in timeZone: TimeZone) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let birthday = birthday(in: year + years)
        return calendar.date(from: DateComponents(year: year + years, month: birthday.month, day: birthday.day))!
    }

    /// Local midnight at the start of this day in `timeZone` (for a date used as a plain calendar day,
    /// such as the day a grant ends).
    public func startOfDay(in timeZone: TimeZone) -> Date { instant(turning: 0, in: timeZone) }

    private func birthday(in year: Int) -> (month: Int, day: Int) {
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        return month == 2 && day == 29 && !leap ? (3, 1) : (month, day)
    }
}
