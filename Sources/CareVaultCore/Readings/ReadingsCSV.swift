import Foundation

/// A file of home readings (`date,time,measure,value,unit[,context]`), checked row by row so the
/// preview can show every row that would be refused, and why, before anything is stored.
public enum ReadingsCSV {
    public static let maximumRows = 5000
    public static let maximumBytes = 256 * 1024
    public static let requiredColumns = ["date", "measure", "value", "unit"]
    public static let optionalColumns = ["time", "context"]

    /// One data row of the file: the reading it gives, or what is wrong with it.
    public struct Row: Sendable, Equatable {
        /// The row's line number in the file (the header is line 1).
        public let line: Int
        public let result: Result<Reading, ValidationFailure>
        /// The row's cells as written, for the preview.
        public let text: String

        public var reading: Reading? { try? result.get() }
        /// Every problem, naming the column ("value: …").
        public var problems: [String] {
            guard case .failure(let failure) = result else { return [] }
            return failure.errors.map { "\($0.field): \($0.message)" }
        }
    }

    /// Why the file as a whole cannot be read.
    public struct FileError: Error, Sendable, Equatable {
        public let message: String
    }

    /// Every data row checked. Throws for a file that is not such a table at all.
    public static func rows(_ text: String, now: Date, timeZone: TimeZone) throws(FileError) -> [Row] {
        guard text.utf8.count <= maximumBytes else {
            throw FileError(message: "The file is larger than \(maximumBytes / 1024) KB. Split it into smaller files.")
        }
        let table: [[String]]
        do { table = try CSVTable.parse(text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text) } catch {
            throw FileError(message: "Line \(error.line): a quoted value is not closed. Check the quotes on that line.")
        }
        guard let header = table.first?.map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }), header.contains(where: { !$0.isEmpty }) else {
            throw FileError(message: "The file is empty. The first line must name the columns: date,time,measure,value,unit.")
        }
        let missing = requiredColumns.filter { !header.contains($0) }
        guard missing.isEmpty else {
            throw FileError(message: "The first line must name the columns date, time, measure, value and unit; missing: \(missing.joined(separator: ", ")).")
        }
        let data = table.dropFirst()
        guard !data.isEmpty else { throw FileError(message: "The file has column names but no readings.") }
        guard data.count <= maximumRows else {
            throw FileError(message: "The file has \(data.count) readings; at most \(maximumRows) can be added at once. Split it into smaller files.")
        }
        let index = Dictionary(header.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        var seen: [String: Int] = [:]
        return data.enumerated().map { offset, cells in
            let line = offset + 2
            func cell(_ name: String) -> String { index[name].flatMap { $0 < cells.count ? cells[$0] : nil }?.trimmingCharacters(in: .whitespaces) ?? "" }
            let text = cells.joined(separator: ", ")
            let measureName = cell("measure")
            guard let measure = ReadingMeasure(csvName: measureName) else {
                let names = ReadingMeasure.allCases.map { $0.csvNames[0] }.joined(separator: ", ")
                let message = measureName.isEmpty ? "Name the measure: one of \(names)." : "“\(measureName.prefix(40))” is not a measure CareVault knows. Use one of \(names)."
                return Row(line: line, result: .failure(ValidationFailure([FieldError(field: "measure", message: message)])), text: text)
            }
            var value = cell("value"), diastolic = ""
            if measure == .bloodPressure {
                let parts = value.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
                if parts.count == 2 {
                    (value, diastolic) = (parts[0], parts[1])
                } else {
                    let failure = ValidationFailure([FieldError(field: "value", message: "Write blood pressure as top/bottom, for example 128/82.")])
                    return Row(line: line, result: .failure(failure), text: text)
                }
            }
            let input = ReadingInput(measure: measure, value: value, diastolic: diastolic, unit: cell("unit"), date: cell("date"), time: cell("time"),
                                     context: cell("context"))
            var result = input.check(now: now, timeZone: timeZone).mapError { failure in
                // A CSV has one value column: blood pressure problems are all about it.
                ValidationFailure(failure.errors.map { $0.field == "diastolic" ? FieldError(field: "value", message: $0.message) : $0 })
            }
            if case .success(let reading) = result {
                let key = "\(reading.measure.rawValue)|\(reading.effective)|\(reading.displayValue)"
                if let first = seen[key] {
                    result = .failure(ValidationFailure([FieldError(field: "row", message: "The same reading as line \(first).")]))
                } else {
                    seen[key] = line
                }
            }
            return Row(line: line, result: result, text: text)
        }
    }

    /// Readings as a CSV file in the same format (plus who recorded each), so a download can be imported again.
    public static func text(_ rows: [(point: ReadingObservation.Point, source: String)]) -> String {
        var csv = "date,time,measure,value,unit,context,source\r\n"
        for (point, source) in rows {
            let date = String(point.effective.prefix(10))
            let time = point.effective.count >= 16 ? String(point.effective.dropFirst(11).prefix(5)) : ""
            let value = point.display.split(separator: " ", maxSplits: 1).map(String.init)
            let cells = [date, time, point.measure.csvNames[0], value.first ?? "", value.count > 1 ? value[1] : "",
                         point.contextCode ?? "",
                         source]
            csv += cells.map(CSVTable.field).joined(separator: ",") + "\r\n"
        }
        return csv
    }
}

/// A small RFC 4180 reader and writer: quoted fields with commas, quotes and line breaks.
public enum CSVTable {
    public struct UnclosedQuote: Error { public let line: Int }

    /// The table's rows (blank lines skipped).
    public static func parse(_ text: String) throws(UnclosedQuote) -> [[String]] {
        var rows: [[String]] = [], row: [String] = [], field = ""
        var inQuotes = false, line = 1, quoteLine = 1
        var chars = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        func endRow() {
            row.append(field)
            field = ""
            if !(row.count == 1 && row[0].trimmingCharacters(in: .whitespaces).isEmpty) { rows.append(row) }
            row = []
        }
        while let c = pending ?? chars.next() {
            pending = nil
            if inQuotes {
                if c == "\"" {
                    let next = chars.next()
                    if next == "\"" { field.unicodeScalars.append("\"") } else { inQuotes = false; pending = next }
                } else {
                    if c == "\n" { line += 1 }
                    field.unicodeScalars.append(c)
                }
                continue
            }
            switch c {
            case "\"" where field.isEmpty: inQuotes = true; quoteLine = line
            case ",": row.append(field); field = ""
            case "\r":
                let next = chars.next()
                if next != "\n" { pending = next }
                endRow(); line += 1
            case "\n": endRow(); line += 1
            default: field.unicodeScalars.append(c)
            }
        }
        if inQuotes { throw UnclosedQuote(line: quoteLine) }
        if !field.isEmpty || !row.isEmpty { endRow() }
        return rows
    }

    /// One field, quoted if needed, with spreadsheet formula injection defused.
    public static func field(_ text: String) -> String {
        var value = text
        if let first = value.first, "=+@\t\r".contains(first) || (first == "-" && Double(value) == nil) { value = "'" + value }
        if value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return value
    }
}
