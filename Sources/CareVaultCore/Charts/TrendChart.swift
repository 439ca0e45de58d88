import Foundation

/// A line chart of measurements over time as an accessible SVG: a title and description for
/// screen readers, shaded bands (a normal range, or guideline categories), one line per series
/// (blood pressure has two), and each value as a point — a circle, or a square for values from
/// another source (the clinic's readings beside the patient's). Pages put the same data in a table.
public struct TrendChart: Sendable {
    public enum Marker: Sendable, Equatable {
        case circle, square
    }

    public struct Point: Sendable, Equatable {
        public let time: Int64
        public let value: Double
        public let marker: Marker
        /// Drawn larger and red; nil: outside the normal range, if there is one.
        public let flagged: Bool?
        /// The day as the record gives it, for the labels, so they say what the table says; nil: the UTC day of `time`.
        public let day: String?

        public init(time: Int64, value: Double, marker: Marker = .circle, flagged: Bool? = nil, day: String? = nil) {
            self.time = time
            self.value = value
            self.marker = marker
            self.flagged = flagged
            self.day = day
        }
    }

    /// One line of the chart ("Top number").
    public struct Series: Sendable, Equatable {
        public let name: String
        public let points: [Point]
        public init(name: String, points: [Point]) {
            self.name = name
            self.points = points.sorted { $0.time < $1.time }
        }
    }

    /// A shaded range of values; `tone` is `normal`, `caution` or `high`.
    public struct Band: Sendable, Equatable {
        public let label: String
        public let low: Double?
        public let high: Double?
        public let tone: String
        public init(label: String, low: Double?, high: Double?, tone: String) {
            self.label = label
            self.low = low
            self.high = high
            self.tone = tone
        }
    }

    public let title: String
    public let unit: String
    public let series: [Series]
    public let bands: [Band]
    public let normalLow: Double?
    public let normalHigh: Double?
    /// What a circle and a square stand for, when the chart has both.
    public let markerNames: (circle: String, square: String)?

    // Drawn at about the size it is shown (30rem at most), so that its 16-unit labels stay legible
    // when a phone scales it down (about 11 px at 360 px wide).
    static let width = 480.0, height = 260.0
    static let left = 72.0, right = 16.0, top = 16.0, bottom = 40.0
    static let fontSize = 16
    static let tones = ["normal": "#e3f1e6", "caution": "#fbf0d0", "high": "#f8dcdc"]
    static let lineColours = ["#0b5cad", "#6b3fa0"]

    /// One test against its normal range (lab results).
    public init(title: String, unit: String, points: [Point], normalLow: Double?, normalHigh: Double?) {
        self.title = title
        self.unit = unit
        self.series = [Series(name: title, points: points)]
        self.normalLow = normalLow
        self.normalHigh = normalHigh
        self.bands = normalLow == nil && normalHigh == nil ? [] : [Band(label: "Normal range", low: normalLow, high: normalHigh, tone: "normal")]
        self.markerNames = nil
    }

    /// Several lines against guideline bands (home readings).
    public init(title: String, unit: String, series: [Series], bands: [Band], markerNames: (circle: String, square: String)? = nil) {
        self.title = title
        self.unit = unit
        self.series = series
        self.bands = bands
        self.normalLow = nil
        self.normalHigh = nil
        self.markerNames = markerNames
    }

    public var points: [Point] { series.flatMap(\.points).sorted { $0.time < $1.time } }

    public func svg() -> String {
        let all = points
        let values = all.map(\.value) + bands.flatMap { [$0.low, $0.high].compactMap { $0 } }
        var low = values.min() ?? 0, high = values.max() ?? 1
        if low == high { low -= 1; high += 1 }
        let pad = (high - low) * 0.1
        low -= pad
        high += pad
        let t0 = all.first?.time ?? 0, t1 = max(all.last?.time ?? 1, t0 + 1)
        let single = Set(all.map(\.time)).count == 1
        let plotW = Self.width - Self.left - Self.right, plotH = Self.height - Self.top - Self.bottom
        func x(_ t: Int64) -> Double { single ? Self.left + plotW / 2 : Self.left + Double(t - t0) / Double(t1 - t0) * plotW }
        func y(_ v: Double) -> Double { Self.top + (high - min(max(v, low), high)) / (high - low) * plotH }
        func f(_ d: Double) -> String { String(format: "%.1f", d) }

        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(Int(Self.width)) \(Int(Self.height))" role="img" \
            aria-labelledby="trend-title trend-desc" class="trend-chart">\
            <title id="trend-title">\(escape(title))</title><desc id="trend-desc">\(escape(description))</desc>
            """
        for band in bands {
            let top = y(band.high ?? high), bottom = y(band.low ?? low)
            let colour = Self.tones[band.tone] ?? Self.tones["normal"]!
            let bandClass = band.tone == "normal" ? "normal-band" : "band-" + band.tone
            svg += ##"<rect class="\##(bandClass)" x="\##(f(Self.left))" y="\##(f(top))" width="\##(f(plotW))" height="\##(f(bottom - top))" fill="\##(colour)"><title>\##(escape(band.label))</title></rect>"##
        }
        svg += ##"<line x1="\##(f(Self.left))" y1="\##(f(Self.top + plotH))" x2="\##(f(Self.left + plotW))" y2="\##(f(Self.top + plotH))" stroke="#4a5560"/>"##
        svg += ##"<line x1="\##(f(Self.left))" y1="\##(f(Self.top))" x2="\##(f(Self.left))" y2="\##(f(Self.top + plotH))" stroke="#4a5560"/>"##
        for extreme in [low + pad, high - pad] {
            // An axis reads in whole units where values are large (75, not 75.29 mmHg); small ones keep their decimals.
            let v = abs(extreme) >= 20 ? extreme.rounded() : extreme
            svg += ##"<text x="\##(f(Self.left - 6))" y="\##(f(y(v) + 5))" text-anchor="end" font-size="\##(Self.fontSize)">\##(escape(Self.number(v)))</text>"##
        }
        if let first = all.first, let last = all.last {
            svg += ##"<text x="\##(f(Self.left))" y="\##(f(Self.height - 12))" font-size="\##(Self.fontSize)">\##(Self.day(of: first))</text>"##
            if !single {
                svg += ##"<text x="\##(f(Self.left + plotW))" y="\##(f(Self.height - 12))" text-anchor="end" font-size="\##(Self.fontSize)">\##(Self.day(of: last))</text>"##
            }
        }
        for (i, line) in series.enumerated() {
            let colour = Self.lineColours[i % Self.lineColours.count]
            if line.points.count > 1 {
                let path = line.points.map { "\(f(x($0.time))),\(f(y($0.value)))" }.joined(separator: " ")
                svg += ##"<polyline points="\##(path)" fill="none" stroke="\##(colour)" stroke-width="2"/>"##
            }
            for p in line.points {
                let outside = p.flagged ?? ((normalLow.map { p.value < $0 } ?? false) || (normalHigh.map { p.value > $0 } ?? false))
                let fill = outside ? "#b00020" : colour, r = outside ? 6.0 : 4.0
                let classes = "point" + (outside ? " outside" : "") + (p.marker == .square ? " other-source" : "")
                switch p.marker {
                case .circle:
                    svg += ##"<circle class="\##(classes)" cx="\##(f(x(p.time)))" cy="\##(f(y(p.value)))" r="\##(f(r))" fill="\##(fill)"/>"##
                case .square:
                    svg += ##"<rect class="\##(classes)" x="\##(f(x(p.time) - r))" y="\##(f(y(p.value) - r))" width="\##(f(2 * r))" height="\##(f(2 * r))" fill="#ffffff" stroke="\##(fill)" stroke-width="2"/>"##
                }
            }
        }
        return svg + "</svg>"
    }

    /// What the chart shows, in words, for people who cannot see it.
    public var description: String {
        let all = points
        guard let first = all.first, let last = all.last else { return "No values to show." }
        var text = "\(all.count) value\(all.count == 1 ? "" : "s") from \(Self.day(of: first)) to \(Self.day(of: last)); "
        if series.count == 1 {
            text += "latest \(Self.number(last.value)) \(unit)."
        } else {
            text += "latest " + series.compactMap { s in s.points.last.map { "\(s.name.lowercased()) \(Self.number($0.value))" } }
                .joined(separator: ", ") + " \(unit)."
        }
        if let normalLow, let normalHigh {
            text += " Normal range \(Self.number(normalLow))–\(Self.number(normalHigh)) \(unit)."
        } else if !bands.isEmpty {
            text += " Shaded: " + bands.map(\.label).joined(separator: "; ") + "."
        }
        if let names = markerNames, all.contains(where: { $0.marker == .square }) {
            text += " Circles are \(names.circle); squares are \(names.square)."
        }
        return text
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e9 ? String(Int(value)) : String(format: "%.2f", value)
    }

    static func day(of point: Point) -> String {
        point.day ?? PlainDate.day(Date(timeIntervalSince1970: Double(point.time) / 1000))
    }

    private func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
