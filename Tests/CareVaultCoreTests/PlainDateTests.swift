import CareVaultCore
import Foundation
import Testing

/// Dates as patients read them: the month in words, to the precision the record has.
@Suite("Plain dates")
struct PlainDateTests {
    @Test("FHIR dates and dateTimes read as words, to the precision recorded", arguments: [
        ("2019-12-18", "December 18, 2019"),
        ("2019-12-18T10:15:00-05:00", "December 18, 2019"),
        ("2020-02-29", "February 29, 2020"),
        ("2019-01", "January 2019"),
        ("2019", "2019"),
        ("0987-06-05", "June 5, 987"),
    ])
    func day(_ text: String, _ words: String) {
        #expect(PlainDate.day(text) == words)
    }

    @Test("What is not a calendar date is shown as written, never as a wrong date", arguments: [
        "2019-02-29", "2019-13-01", "2019-00-10", "2019-12-32", "2019-1-5", "19-12-18", "20191218", "2019-12x", "spring 2019", "",
    ])
    func notADate(_ text: String) {
        #expect(PlainDate.day(text) == text)
    }

    @Test("A reading's time reads on a 12-hour clock as it was recorded", arguments: [
        ("2026-11-20T07:30:00+01:00", "November 20, 2026, 7:30 AM"),
        ("2026-11-20T00:05:00Z", "November 20, 2026, 12:05 AM"),
        ("2026-11-20T12:00:00Z", "November 20, 2026, 12:00 PM"),
        ("2026-11-20T23:59", "November 20, 2026, 11:59 PM"),
        ("2026-11-20", "November 20, 2026"),
        ("2026-11-20T25:00:00Z", "November 20, 2026"),
    ])
    func dayAndTime(_ text: String, _ words: String) {
        #expect(PlainDate.dayAndTime(text) == words)
    }

    @Test("Instants CareVault recorded read in UTC, across leap days and before 1970")
    func instants() {
        #expect(PlainDate.instant(Date(timeIntervalSince1970: 1_796_216_820)) == "December 2, 2026, 1:07 PM UTC")
        #expect(PlainDate.day(Date(timeIntervalSince1970: 951_782_400)) == "February 29, 2000")
        #expect(PlainDate.instant(Date(timeIntervalSince1970: -1)) == "December 31, 1969, 11:59 PM UTC")
        #expect(PlainDate.day(Date(timeIntervalSince1970: 0)) == "January 1, 1970")
    }

    @Test("Instants read in the clinic's time zone, named by its city, with summer time where it applies")
    func clinicTime() throws {
        let chicago = try #require(TimeZone(identifier: "America/Chicago"))
        #expect(PlainDate.instant(Date(timeIntervalSince1970: 1_796_216_820), in: chicago) == "December 2, 2026, 7:07 AM Chicago time")
        #expect(PlainDate.instant(Date(timeIntervalSince1970: 1_783_084_020), in: chicago) == "July 3, 2026, 8:07 AM Chicago time")
        // Just after midnight UTC is still the evening before in Chicago.
        #expect(PlainDate.day(Date(timeIntervalSince1970: 1_796_170_000), in: chicago) == "December 1, 2026")
        #expect(PlainDate.instant(Date(timeIntervalSince1970: 0), in: try #require(TimeZone(identifier: "Etc/UTC"))) == "January 1, 1970, 12:00 AM UTC")
        let newYork = try #require(TimeZone(identifier: "America/New_York"))
        #expect(PlainDate.instant(Date(timeIntervalSince1970: 1_796_216_820), in: newYork) == "December 2, 2026, 8:07 AM New York time")
    }
}
