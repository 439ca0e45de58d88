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

    @Test("A query reads as a form sends it: \"+\" is a space, \"%2B\" a plus; our own links decode to what was typed", arguments: [
        "cholesterol", "Müller & Söhne", "a+b=c;d/e?f#g", "日本語", "",
    ])
    func formQuery(text: String) {
        #expect(FormQuery(query: "page=2&q=" + Paths.queryValue(text))["q"] == text)
        #expect(FormQuery(query: "q=white+blood+cells&q=second")["q"] == "white blood cells")  // the first value, as Hummingbird's
        #expect(FormQuery(query: "q=1%2B1")["q"] == "1+1")
        #expect(FormQuery(query: "flag&q=")["flag"] == "" && FormQuery(query: "flag&q=")["q"] == "")
        #expect(FormQuery(query: nil)["q"] == nil && FormQuery(query: "q=%E0%A4")["q"] == "%E0%A4")  // broken escapes stay as written
    }
}
