import Foundation

/// A document for print and download, laid out top to bottom on A4 pages: headings, paragraphs,
/// labelled facts and tables, with a header (patient name, title, date printed) and a footer
/// ("Page X of Y") on every page. Text wraps by the font's real widths.
public struct PrintableDocument {
    public let title: String
    public let patientName: String
    public let printed: Date
    /// The zone the printed date is read in (the clinic's).
    public let timeZone: TimeZone
    let writer: PDFWriter
    let margin = 50.0
    var pages: [[PDFWriter.Mark]] = [[]]
    /// The baseline of the next line on the current page.
    var y: Double

    /// Nil when the bundled font cannot be read (a broken build), so callers can answer clearly.
    public init?(title: String, patientName: String, printed: Date, timeZone: TimeZone = PlainDate.utc,
                 font: TrueTypeFont? = TrueTypeFont.dejaVuSans) {
        guard let font else { return nil }
        self.title = title
        self.patientName = patientName
        self.printed = printed
        self.timeZone = timeZone
        writer = PDFWriter(font: font)
        y = writer.pageHeight - margin - 40
    }

    var font: TrueTypeFont { writer.font }
    var contentWidth: Double { writer.pageWidth - 2 * margin }
    var bottom: Double { margin + 30 }

    public mutating func heading(_ text: String, size: Double = 15) {
        ensureRoom(size * 2.6)
        y -= size * 0.6
        for line in wrap(text, width: contentWidth, size: size) {
            draw(line, x: margin, size: size)
            y -= size * 1.3
        }
        y -= size * 0.2
    }

    public mutating func paragraph(_ text: String, size: Double = 10) {
        for line in wrap(text, width: contentWidth, size: size) {
            ensureRoom(size * 1.4)
            draw(line, x: margin, size: size)
            y -= size * 1.4
        }
        y -= size * 0.5
    }

    /// Label–value pairs in two columns.
    public mutating func facts(_ facts: [(String, String)], size: Double = 10) {
        table(columns: [("", 0.3), ("", 0.7)], rows: facts.map { [$0.0, $0.1] }, size: size, header: false)
    }

    /// A table with a header row (repeated after a page break); `columns` are titles and shares of the width.
    public mutating func table(columns: [(String, Double)], rows: [[String]], size: Double = 9, header: Bool = true) {
        let total = columns.reduce(0) { $0 + $1.1 }
        let widths = columns.map { $0.1 / total * contentWidth }
        let lineHeight = size * 1.35
        func height(_ cells: [String]) -> Double {
            Double(zip(cells, widths).map { wrap($0, width: $1 - 6, size: size).count }.max() ?? 1) * lineHeight + 4
        }
        func drawRow(_ cells: [String], shaded: Bool) {
            let wrapped = zip(cells, widths).map { wrap($0, width: $1 - 6, size: size) }
            let rowHeight = height(cells)
            if shaded { pages[pages.count - 1].append(.rectangle(x: margin, y: y - rowHeight + lineHeight - 2, width: contentWidth, height: rowHeight, gray: 0.9)) }
            var x = margin
            for (lines, width) in zip(wrapped, widths) {
                var lineY = y
                for line in lines {
                    pages[pages.count - 1].append(.text(line, x: x + 3, y: lineY, size: size))
                    lineY -= lineHeight
                }
                x += width
            }
            y -= rowHeight
        }
        let titles = columns.map(\.0)
        if header {
            ensureRoom(height(titles) + (rows.first.map(height) ?? 0))
            drawRow(titles, shaded: true)
        }
        for row in rows {
            // A row never splits across pages; the header row comes again at the top of the next page.
            if y - height(row) < bottom {
                ensureRoom(.infinity)
                if header { drawRow(titles, shaded: true) }
            }
            drawRow(row, shaded: false)
        }
        y -= size
    }

    /// The finished file, with every page's header and footer.
    public func pdf() -> Data {
        let day = PlainDate.day(printed, in: timeZone)
        let count = pages.count
        let marked = pages.enumerated().map { index, marks -> [PDFWriter.Mark] in
            let top = writer.pageHeight - margin
            let printedText = "Printed \(day)"
            let footer = "Page \(index + 1) of \(count)"
            return marks + [
                .text(patientName, x: margin, y: top, size: 9),
                .text(printedText, x: writer.pageWidth - margin - font.width(printedText, size: 9), y: top, size: 9),
                .text(title, x: margin, y: top - 12, size: 9),
                .line(x1: margin, y1: top - 18, x2: writer.pageWidth - margin, y2: top - 18, width: 0.5),
                .line(x1: margin, y1: margin + 12, x2: writer.pageWidth - margin, y2: margin + 12, width: 0.5),
                .text("CareVault", x: margin, y: margin, size: 8),
                .text(footer, x: writer.pageWidth - margin - font.width(footer, size: 8), y: margin, size: 8),
            ]
        }
        return writer.write(pages: marked, title: "\(title) – \(patientName)", created: printed)
    }

    mutating func draw(_ text: String, x: Double, size: Double) {
        pages[pages.count - 1].append(.text(text, x: x, y: y, size: size))
    }

    /// Starts a new page when less than `height` is left on this one.
    mutating func ensureRoom(_ height: Double) {
        if y - height < bottom && !pages[pages.count - 1].isEmpty || height == .infinity {
            pages.append([])
            y = writer.pageHeight - margin - 40
        }
    }

    /// Greedy word wrap by real glyph widths; a word wider than the line is broken between characters.
    func wrap(_ text: String, width: Double, size: Double) -> [String] {
        var lines: [String] = []
        for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = ""
            for word in paragraph.split(separator: " ") {
                let candidate = line.isEmpty ? String(word) : line + " " + word
                if font.width(candidate, size: size) <= width {
                    line = candidate
                    continue
                }
                if !line.isEmpty { lines.append(line) }
                line = ""
                for character in word {
                    if font.width(line + String(character), size: size) > width && !line.isEmpty {
                        lines.append(line)
                        line = ""
                    }
                    line.append(character)
                }
            }
            lines.append(line)
        }
        return lines.isEmpty ? [""] : lines
    }
}
