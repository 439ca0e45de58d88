import Foundation

/// A line chart of one measurement over time as an accessible SVG: a title and description for
/// screen readers, the normal range as a shaded band, each value as a point. Pages put the same
/// data in a table beside it.
public struct TrendChart: Sendable {
    public struct Point: Sendable, Equatable {
        public let time: Int64
        public let value: Double
        public init(time: Int64, value: Double) {
            self.time = time
            self.value = value
        }
    }

    public let title: String
    public let unit: String
    public let points: [Point]
    public let normalLow: Double?
    public let normalHigh: Double?

    static let width = 640.0, height = 280.0
    static let left = 56.0, right = 16.0, top = 16.0, bottom = 40.0

    public init(title: String, unit: String, points: [Point], normalLow: Double?, normalHigh: Double?) {
        self.title = title
        self.unit = unit
        self.points = points.sorted { $0.time < $1.time }
        self.normalLow = normalLow
        self.normalHigh = normalHigh
    }

    public func svg() -> String {
        let values = points.map(\.value) + [normalLow, normalHigh].compactMap { $0 }
        var low = values.min() ?? 0, high = values.max() ?? 1
        if low == high { low -= 1; high += 1 }
        let pad = (high - low) * 0.1
        low -= pad
        high += pad
        let t0 = points.first?.time ?? 0, t1 = max(points.last?.time ?? 1, t0 + 1)
        let plotW = Self.width - Self.left - Self.right, plotH = Self.height - Self.top - Self.bottom
        func x(_ t: Int64) -> Double { points.count == 1 ? Self.left + plotW / 2 : Self.left + Double(t - t0) / Double(t1 - t0) * plotW }
        func y(_ v: Double) -> Double { Self.top + (high - v) / (high - low) * plotH }
        func f(_ d: Double) -> String { String(format: "%.1f", d) }

        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(Int(Self.width)) \(Int(Self.height))" role="img" \
            aria-labelledby="trend-title trend-desc" class="trend-chart">\
            <title id="trend-title">\(escape(title))</title><desc id="trend-desc">\(escape(description))</desc>
            """
        if let lowBand = normalLow ?? normalHigh.map({ _ in low }), let highBand = normalHigh ?? normalLow.map({ _ in high }) {
            svg += ##"<rect class="normal-band" x="\##(f(Self.left))" y="\##(f(y(highBand)))" width="\##(f(plotW))" height="\##(f(y(lowBand) - y(highBand)))" fill="#e3f1e6"/>"##
        }
        svg += ##"<line x1="\##(f(Self.left))" y1="\##(f(Self.top + plotH))" x2="\##(f(Self.left + plotW))" y2="\##(f(Self.top + plotH))" stroke="#4a5560"/>"##
        svg += ##"<line x1="\##(f(Self.left))" y1="\##(f(Self.top))" x2="\##(f(Self.left))" y2="\##(f(Self.top + plotH))" stroke="#4a5560"/>"##
        for v in [low + pad, high - pad] {
            svg += ##"<text x="\##(f(Self.left - 6))" y="\##(f(y(v) + 4))" text-anchor="end" font-size="12">\##(escape(Self.number(v)))</text>"##
        }
        if let first = points.first, let last = points.last {
            svg += ##"<text x="\##(f(Self.left))" y="\##(f(Self.height - 12))" font-size="12">\##(Self.day(first.time))</text>"##
            if points.count > 1 {
                svg += ##"<text x="\##(f(Self.left + plotW))" y="\##(f(Self.height - 12))" text-anchor="end" font-size="12">\##(Self.day(last.time))</text>"##
            }
        }
        if points.count > 1 {
            let path = points.map { "\(f(x($0.time))),\(f(y($0.value)))" }.joined(separator: " ")
            svg += ##"<polyline points="\##(path)" fill="none" stroke="#0b5cad" stroke-width="2"/>"##
        }
        for p in points {
            let outside = (normalLow.map { p.value < $0 } ?? false) || (normalHigh.map { p.value > $0 } ?? false)
            svg += ##"<circle class="point\##(outside ? " outside" : "")" cx="\##(f(x(p.time)))" cy="\##(f(y(p.value)))" r="\##(outside ? 6 : 4)" fill="\##(outside ? "#b00020" : "#0b5cad")"/>"##
        }
        return svg + "</svg>"
    }

    /// What the chart shows, in words, for people who cannot see it.
    public var description: String {
        guard let first = points.first, let last = points.last else { return "No values to show." }
        var text = "\(points.count) value\(points.count == 1 ? "" : "s") from \(Self.day(first.time)) to \(Self.day(last.time)); "
        text += "latest \(Self.number(last.value)) \(unit)."
        if let normalLow, let normalHigh { text += " Normal range \(Self.number(normalLow))–\(Self.number(normalHigh)) \(unit)." }
        return text
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e9 ? String(Int(value)) : String(format: "%.2f", value)
    }

    static func day(_ ms: Int64) -> String {
        Date(timeIntervalSince1970: Double(ms) / 1000).formatted(.iso8601.year().month().day().dateSeparator(.dash))
    }

    private func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
