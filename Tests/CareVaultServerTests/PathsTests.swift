@testable import CareVaultServer
import Foundation
import Testing

@Suite("Paths")
struct PathsTests {
    @Test("Query values are percent-encoded as UTF-8 and decode to what was typed", arguments: [
        "cholesterol", "Müller & Söhne", "http://loinc.org|2093-3", "a+b=c;d/e?f#g", "日本語", "~._-", "",
    ])
    func queryValue(text: String) throws {
        let encoded = Paths.queryValue(text)
        #expect(encoded.utf8.allSatisfy { $0 < 0x80 && ![UInt8(ascii: "&"), UInt8(ascii: "+"), UInt8(ascii: "#"), UInt8(ascii: " ")].contains($0) })
        let decoded = try #require(URLComponents(string: "/x?q=\(encoded)")?.queryItems?.first?.value)
        #expect(decoded == text)
    }

    @Test("A trend link carries the code's system and code")
    func trendLink() {
        #expect(Paths.labTrend("p1", system: "http://loinc.org", code: "2093-3") == "/patients/p1/results/trend?code=http%3A%2F%2Floinc.org%7C2093-3")
    }
}
