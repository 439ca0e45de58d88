import CareVaultCore
import Foundation
import Testing

@Suite("Home readings")
struct ReadingTests {
    static let now = ISO8601DateFormatter().date(from: "2026-11-21T12:00:00Z")!
    static let zone = TimeZone(identifier: "Europe/Berlin")!

    func check(_ input: ReadingInput) -> Result<Reading, ValidationFailure> { input.check(now: Self.now, timeZone: Self.zone) }

    func errors(_ input: ReadingInput) -> [String: String] {
        guard case .failure(let failure) = check(input) else { return [:] }
        return Dictionary(failure.errors.map { ($0.field, $0.message) }, uniquingKeysWith: { a, _ in a })
    }

    @Test("A blood pressure with position becomes a valid R4 vital-signs Observation and reads back as the same point")
    func bloodPressure() throws {
        let reading = try check(ReadingInput(measure: .bloodPressure, value: "128", diastolic: "82", unit: "mmHg", date: "2026-11-20",
                                             time: "07:30", context: "sitting")).get()
        #expect(reading.effective == "2026-11-20T07:30:00+01:00")
        #expect(reading.displayValue == "128/82 mmHg")
        #expect(reading.attentionReason == nil)
        let json = ReadingObservation.json(reading, id: "r1", patient: "p1", performer: "Patient/p1", recorded: "2026-11-21T12:00:00Z")
        let report = FHIRElementValidator().check(resource: json)
        #expect(report.errors.isEmpty, "\(report.errors)")
        #expect(report.unknownElements.isEmpty)
        let text = json.jsonText
        #expect(text.contains(#""code":"8480-6""#) && text.contains(#""code":"8462-4""#) && text.contains(#""code":"mm[Hg]""#))
        #expect(text.contains(#""code":"vital-signs""#) && text.contains("observation-bodyPosition") && text.contains("33586001"))
        let point = try #require(ReadingObservation.point(from: json))
        #expect(point.measure == .bloodPressure && point.value == 128 && point.diastolic == 82 && point.display == "128/82 mmHg")
        #expect(point.context == "Sitting")
    }

    @Test("Units people use are converted for the chart and stored as entered, with UCUM codes")
    func units() throws {
        let pounds = try check(ReadingInput(measure: .weight, value: "165,5", unit: "lbs", date: "2026-11-20")).get()
        #expect(pounds.value == "165.5" && pounds.unit.ucum == "[lb_av]")
        #expect(abs(pounds.chartValue - 75.07) < 0.01)
        let fever = try check(ReadingInput(measure: .temperature, value: "100.4", unit: "°F", date: "2026-11-20")).get()
        #expect(abs(fever.chartValue - 38.0) < 0.001)
        #expect(fever.attentionReason?.contains("Body temperature 100.4 °F") == true)
        let sugar = try check(ReadingInput(measure: .glucose, value: "5.5", unit: "mmol/L", date: "2026-11-20", context: "fasting")).get()
        #expect(abs(sugar.chartValue - 99.088) < 0.01)
        let json = ReadingObservation.json(sugar, id: "g", patient: "p", performer: "Patient/p", recorded: "2026-11-21T12:00:00Z")
        #expect(json.jsonText.contains(#""code":"15074-8""#) && json.jsonText.contains(#""valueCode":"fasting""#))
        let point = try #require(ReadingObservation.point(from: json))
        #expect(point.context == "Fasting" && abs(point.value - 99.088) < 0.01 && point.display == "5.5 mmol/L")
        #expect(FHIRElementValidator().check(resource: json).errors.isEmpty)
    }

    @Test("Impossible values, swapped numbers, future times and bad formats are refused, naming the field")
    func refusals() {
        #expect(errors(ReadingInput(measure: .bloodPressure, value: "400", diastolic: "80", unit: "mmHg", date: "2026-11-20"))["value"]?
            .contains("between 50 and 300 mmHg") == true)
        #expect(errors(ReadingInput(measure: .bloodPressure, value: "80", diastolic: "120", unit: "mmHg", date: "2026-11-20"))["diastolic"]?
            .contains("lower than the top number") == true)
        #expect(errors(ReadingInput(measure: .bloodPressure, value: "120", diastolic: "", unit: "mmHg", date: "2026-11-20"))["diastolic"] != nil)
        #expect(errors(ReadingInput(measure: .weight, value: "1e3", unit: "kg", date: "2026-11-20"))["value"] != nil)
        #expect(errors(ReadingInput(measure: .weight, value: "-70", unit: "kg", date: "2026-11-20"))["value"] != nil)
        #expect(errors(ReadingInput(measure: .weight, value: "70", unit: "stone", date: "2026-11-20"))["unit"]?.contains("kg or lb") == true)
        #expect(errors(ReadingInput(measure: .steps, value: "8000.5", date: "2026-11-20"))["value"]?.contains("whole number") == true)
        #expect(errors(ReadingInput(measure: .heartRate, value: "70", date: "2026-11-22"))["date"] == "The reading cannot be in the future.")
        #expect(errors(ReadingInput(measure: .heartRate, value: "70", date: "2026-11-21", time: "23:00"))["time"] == "The reading cannot be in the future.")
        #expect(errors(ReadingInput(measure: .heartRate, value: "70", date: "2026-11-21", time: "7.30"))["time"] != nil)
        #expect(errors(ReadingInput(measure: .heartRate, value: "70", date: "20/11/2026"))["date"] != nil)
        #expect(errors(ReadingInput(measure: .heartRate, value: "70", date: "2026-11-20", context: "sitting"))["context"] != nil)
        #expect(errors(ReadingInput(measure: .bloodPressure, value: "120", diastolic: "80", unit: "mmHg", date: "2026-11-20", context: "hanging"))["context"] != nil)
        // Within range and the attention range: nothing to say.
        #expect(errors(ReadingInput(measure: .oxygen, value: "97", date: "2026-11-20")).isEmpty)
        #expect(try! check(ReadingInput(measure: .oxygen, value: "88", date: "2026-11-20")).get().attentionReason != nil)
        #expect(try! check(ReadingInput(measure: .bloodPressure, value: "135", diastolic: "92", unit: "mmHg", date: "2026-11-20")).get().attentionReason != nil)
    }

    @Test("A CSV file is checked row by row: every bad row named with its line and column, duplicates caught")
    func csv() throws {
        let text = """
            Date,Time,Measure,Value,Unit,Context\r
            2026-11-01,07:30,blood pressure,128/82,mmHg,sitting\r
            2026-11-01,07:35,bp,82/128,mmHg,\r
            2026-11-02,,weight,"72,5",kg,\r
            2026-11-02,,Weight,72.5,kg,\r
            2026-11-03,08:00,pulse,abc,bpm,\r
            2026-11-03,08:00,mood,5,,\r

            2026-11-04,08:00,glucose,95,mg/dL,after meal\r
            2030-01-01,,steps,9000,steps,\r
            """
        let rows = try ReadingsCSV.rows(text, now: Self.now, timeZone: Self.zone)
        #expect(rows.map(\.line) == [2, 3, 4, 5, 6, 7, 8, 9])
        #expect(rows.compactMap(\.reading).count == 3)
        #expect(rows[1].problems == ["value: The bottom number (diastolic) must be lower than the top number (systolic). Check they are not swapped."])
        #expect(rows[3].problems == ["row: The same reading as line 4."])
        #expect(rows[4].problems.first?.hasPrefix("value:") == true)
        #expect(rows[5].problems.first?.contains("“mood” is not a measure") == true)
        #expect(rows[6].reading?.timing == .afterMeal)
        #expect(rows[7].problems == ["date: The reading cannot be in the future."])

        #expect(throws: ReadingsCSV.FileError.self) { try ReadingsCSV.rows("", now: Self.now, timeZone: Self.zone) }
        let missing = #expect(throws: ReadingsCSV.FileError.self) { try ReadingsCSV.rows("date,value\n2026-01-01,1\n", now: Self.now, timeZone: Self.zone) }
        #expect(missing?.message.contains("missing: measure, unit") == true)
        let open = #expect(throws: ReadingsCSV.FileError.self) { try ReadingsCSV.rows("date,measure,value,unit\n\"2026-01-01,bp\n", now: Self.now, timeZone: Self.zone) }
        #expect(open?.message.hasPrefix("Line 2:") == true)
        let many = "date,measure,value,unit\n" + String(repeating: "2026-01-01,steps,1,steps\n", count: ReadingsCSV.maximumRows + 1)
        #expect(throws: ReadingsCSV.FileError.self) { try ReadingsCSV.rows(many, now: Self.now, timeZone: Self.zone) }
    }

    @Test("A downloaded CSV imports again to the same readings")
    func csvRoundTrip() throws {
        let inputs = [ReadingInput(measure: .bloodPressure, value: "141", diastolic: "91", unit: "mmHg", date: "2026-11-01", time: "07:30", context: "standing"),
                      ReadingInput(measure: .glucose, value: "6.1", unit: "mmol/L", date: "2026-11-02", context: "before-meal"),
                      ReadingInput(measure: .heartRate, value: "64", unit: "bpm", date: "2026-11-02", time: "21:05"),
                      ReadingInput(measure: .temperature, value: "=1+1", unit: "°C", date: "2026-11-02")]
        let readings = inputs.dropLast().map { try! check($0).get() }
        let points = readings.map { r in
            ReadingObservation.point(from: ReadingObservation.json(r, id: "x", patient: "p", performer: "Patient/p", recorded: "2026-11-21T12:00:00Z"))!
        }
        let text = ReadingsCSV.text(points.map { ($0, "You") })
        let again = try ReadingsCSV.rows(text, now: Self.now, timeZone: Self.zone)
        #expect(again.compactMap(\.reading) == readings)
        #expect(CSVTable.field("=1+1") == "'=1+1")
        #expect(try CSVTable.parse("a,\"b \"\"c\"\",\nd\"\r\n") == [["a", "b \"c\",\nd"]])
    }

    @Test("Review statuses move only forward along the allowed paths")
    func reviewStatus() {
        #expect(ReviewStatus.submitted.canMove(to: .underReview))
        #expect(ReviewStatus.underReview.canMove(to: .accepted))
        #expect(ReviewStatus.underReview.canMove(to: .returned))
        #expect(ReviewStatus.reviewed.canMove(to: .accepted))
        #expect(!ReviewStatus.accepted.canMove(to: .returned))
        #expect(!ReviewStatus.returned.canMove(to: .accepted))
        #expect(!ReviewStatus.withdrawn.canMove(to: .underReview))
        #expect(ReviewStatus.allCases.filter(\.isOpen) == [.submitted, .underReview])
        #expect(RecordOrigin(source: "import:bundle.json") == .imported("bundle.json"))
        #expect(RecordOrigin(source: RecordOrigin.source(forPatient: "a1")).text(toPatient: true) == "Added by you")
        #expect(RecordOrigin(source: "clinic").text(toPatient: false) == "From the clinic")
    }

    @Test("The readings chart draws both blood pressure lines, the guideline bands, and clinic readings as squares")
    func chart() {
        let day: Int64 = 86_400_000
        let chart = TrendChart(title: "Blood pressure", unit: "mmHg", series: [
            .init(name: "Top number", points: [.init(time: 0, value: 128), .init(time: day, value: 152, flagged: true), .init(time: 2 * day, value: 131, marker: .square)]),
            .init(name: "Bottom number", points: [.init(time: 0, value: 82), .init(time: day, value: 95), .init(time: 2 * day, value: 84, marker: .square)]),
        ], bands: ReadingMeasure.bloodPressure.bands.map { TrendChart.Band(label: $0.label, low: $0.low, high: $0.high, tone: $0.tone) },
           markerNames: ("your readings", "readings taken at the clinic"))
        let svg = chart.svg()
        #expect(svg.matches(of: /<polyline/).count == 2)
        #expect(svg.matches(of: /class="point[^"]*other-source"/).count == 2)
        #expect(svg.matches(of: /class="point outside"/).count == 1)
        #expect(svg.contains("band-high") && svg.contains("band-caution") && svg.contains("normal-band"))
        #expect(chart.description.contains("latest top number 131, bottom number 84 mmHg"))
        #expect(chart.description.contains("Circles are your readings; squares are readings taken at the clinic."))
    }
}
