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

    @Test("Anything else is refused, never a crash", arguments: ["", "T", "T10:00", "2024-", "-", "24-01-01", "2023-02-29", "2024-13",
                                                              "2024-01-01T", "2024-01-01Tnoon", "last Tuesday", "2024-1-1",
                                                              String(repeating: "9", count: 100)])
    func invalid(text: String) {
        #expect(FHIRInstant.range(text) == nil)
    }
}
