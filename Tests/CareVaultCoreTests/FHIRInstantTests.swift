import Foundation
import CareVaultCore
import Testing

@Suite("FHIR dates")
struct FHIRInstantTests {
    @Test("Partial dates cover their whole year, month or day")
    func partial() throws {
        let year = try #require(FHIRInstant.range("2024"))
        let day = try #require(FHIRInstant.range("2024-02-29"))
        #expect(year.lowerBound == 1_704_067_200_000)
        #expect(year.upperBound == 1_735_689_599_999)
        #expect(day.upperBound - day.lowerBound == 86_399_999)
        #expect(FHIRInstant.range("2024-03") != nil)
        #expect(FHIRInstant.range("2024-03-05T09:30:00Z") == 1_709_631_000_000...1_709_631_000_000)
        #expect(FHIRInstant.range("2024-03-05T09:30:00.123+01:00") == 1_709_627_400_123...1_709_627_400_123)
    }

    @Test("Agrees with Foundation's calendar on every day of 1899–2101 and on zoned times")
    func agreesWithFoundation() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        var date = calendar.date(from: DateComponents(year: 1899, month: 1, day: 1))!
        let end = calendar.date(from: DateComponents(year: 2101, month: 12, day: 31))!
        while date <= end {
            let parts = calendar.dateComponents([.year, .month, .day], from: date)
            let text = String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
            #expect(FHIRInstant.range(text)?.lowerBound == Int64(date.timeIntervalSince1970) * 1000, "\(text)")
            date = calendar.date(byAdding: .day, value: 1, to: date)!
        }
        let formatter = ISO8601DateFormatter()
        for text in ["1994-05-19T19:33:18-04:00", "2000-02-29T23:59:59+14:00", "1969-12-31T23:59:59Z", "2038-01-19T03:14:08-00:30"] {
            #expect(FHIRInstant.range(text)?.lowerBound == Int64(formatter.date(from: text)!.timeIntervalSince1970) * 1000, "\(text)")
        }
        #expect(FHIRInstant.range("2024-03-05T09:30:00.1Z")?.lowerBound == 1_709_631_000_100)
        #expect(FHIRInstant.range("2024-03-05T09:30:00.123456Z")?.lowerBound == 1_709_631_000_123)
    }

    @Test("Anything else is refused, never a crash", arguments: ["", "T", "T10:00", "2024-", "-", "24-01-01", "2023-02-29", "2024-13",
                                                              "2024-01-01T", "2024-01-01Tnoon", "last Tuesday", "2024-1-1", "2024-01-01T10:00Z", "2024-01-01T10:00:00", "2024-01-01T10:00:00.Z", "2024-01-01T24:00:00Z",
                                                              "2024-01-01T10:00:00+15:00", "0000-01-01",
                                                              String(repeating: "9", count: 100)])
    func invalid(text: String) {
        #expect(FHIRInstant.range(text) == nil)
    }
}
