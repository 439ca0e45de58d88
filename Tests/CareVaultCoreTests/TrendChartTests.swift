import CareVaultCore
import Testing

@Suite("Trend chart")
struct TrendChartTests {
    @Test("Points, the normal band, outside values and a description in words")
    func chart() {
        let day: Int64 = 86_400_000
        let chart = TrendChart(title: "HbA1c <test>", unit: "%", points: [.init(time: 2 * day, value: 7.9), .init(time: 0, value: 5.5), .init(time: day, value: 6.1)],
                               normalLow: 4, normalHigh: 5.6)
        let svg = chart.svg()
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        #expect(svg.contains("<title id=\"trend-title\">HbA1c &lt;test&gt;</title>"))
        #expect(svg.matches(of: #/<circle /#).count == 3)
        #expect(svg.matches(of: /class="point outside"/).count == 2)
        #expect(svg.contains("class=\"normal-band\""))
        #expect(svg.contains("<polyline"))
        #expect(chart.description == "3 values from January 1, 1970 to January 3, 1970; latest 7.90 %. Normal range 4–5.60 %.")
    }

    @Test("The axis reads in whole units for large values and keeps decimals for small ones")
    func axisLabels() {
        let pressure = TrendChart(title: "Blood pressure", unit: "mmHg", points: [.init(time: 0, value: 75.29115), .init(time: 1, value: 128.4)],
                                  normalLow: nil, normalHigh: nil).svg()
        let labels = pressure.matches(of: /text-anchor="end" font-size="[0-9.]+">([^<]+)<\/text>/).map { String($0.output.1) }
        #expect(labels.contains("75") && labels.contains("128"), "\(labels)")
        let potassium = TrendChart(title: "Potassium", unit: "mmol/L", points: [.init(time: 0, value: 3.42), .init(time: 1, value: 5.9)],
                                   normalLow: nil, normalHigh: nil).svg()
        let small = potassium.matches(of: /text-anchor="end" font-size="[0-9.]+">([^<]+)<\/text>/).map { String($0.output.1) }
        #expect(small.contains("3.42") && small.contains("5.90"), "\(small)")
    }

    @Test("Labels say the day as recorded, as the table does, not the UTC day of the instant")
    func recordedDay() {
        // 23:30 in New York on January 3 is January 4 in UTC.
        let chart = TrendChart(title: "Potassium", unit: "mmol/L", points: [
            .init(time: 1_704_069_000_000, value: 4.1, day: PlainDate.day("2023-12-31T19:30:00-05:00")),
            .init(time: 1_704_342_600_000, value: 4.4, day: PlainDate.day("2024-01-03T23:30:00-05:00")),
        ], normalLow: nil, normalHigh: nil)
        #expect(chart.description.hasPrefix("2 values from December 31, 2023 to January 3, 2024;"), "\(chart.description)")
        #expect(chart.svg().contains(">January 3, 2024</text>"))
    }

    @Test("One value or none still draws a valid chart")
    func sparse() {
        let one = TrendChart(title: "x", unit: "", points: [.init(time: 0, value: 1)], normalLow: nil, normalHigh: nil)
        #expect(one.svg().matches(of: #/<circle /#).count == 1)
        #expect(!one.svg().contains("<polyline"))
        #expect(!one.svg().contains("normal-band"))
        let none = TrendChart(title: "x", unit: "", points: [], normalLow: 1, normalHigh: 2)
        #expect(none.description == "No values to show.")
        #expect(none.svg().hasSuffix("</svg>"))
    }
}
