/// The JSON shape and lexical format of each FHIR R4 primitive type
/// (https://hl7.org/fhir/R4/datatypes.html#primitive), checked without regular expressions so that
/// validating a large import stays cheap.
enum FHIRPrimitiveFormat {
    /// Why `value` is not a valid `type`, in words; nil when it is.
    static func problem(with value: JSONValue, as type: String) -> String? {
        switch type {
        case "boolean":
            if case .bool = value { return nil }
            return "must be true or false"
        case "integer", "positiveInt", "unsignedInt":
            guard case .number(let text) = value, let number = Int32(text) else { return "must be a whole number" }
            if type == "positiveInt" && number < 1 { return "must be 1 or more" }
            if type == "unsignedInt" && number < 0 { return "must be 0 or more" }
            return nil
        case "decimal":
            if case .number = value { return nil }
            return "must be a number"
        default:
            guard case .string(let text) = value else { return "must be text in quotes" }
            return problem(withText: text, as: type)
        }
    }

    private static func problem(withText text: String, as type: String) -> String? {
        if text.isEmpty { return "is empty (leave the element out instead)" }
        let scalars = Array(text.unicodeScalars)
        switch type {
        case "code":
            let trimmed = text.trimmingWhitespace
            return trimmed == text && !scalars.contains(where: { $0 == "\t" || $0 == "\n" || $0 == "\r" }) && !text.contains("  ")
                ? nil : "is not a valid code (no leading, trailing or double spaces)"
        case "id":
            return BundleImportPlan.isValidID(text) ? nil : "is not a valid id (1–64 letters, digits, '-' or '.')"
        case "uri", "url", "canonical", "oid", "uuid":
            return scalars.contains(where: { $0.properties.isWhitespace }) ? "must not contain spaces" : nil
        case "date":
            return isDate(scalars[...]) ? nil : "is not a date (YYYY, YYYY-MM or YYYY-MM-DD)"
        case "dateTime":
            return isDateTime(scalars, requireTime: false) ? nil : "is not a date-time (YYYY-MM-DD or YYYY-MM-DDThh:mm:ss+zz:zz)"
        case "instant":
            return isDateTime(scalars, requireTime: true) ? nil : "is not an instant (YYYY-MM-DDThh:mm:ss.sss+zz:zz)"
        case "time":
            return isTime(scalars[...]) ? nil : "is not a time (hh:mm:ss)"
        case "base64Binary":
            return scalars.allSatisfy({ isBase64($0) }) ? nil : "is not base64"
        default:  // string, markdown, xhtml
            return nil
        }
    }

    private static func digits(_ s: ArraySlice<Unicode.Scalar>) -> Int? {
        guard !s.isEmpty, s.allSatisfy({ ("0"..."9").contains($0) }) else { return nil }
        return s.reduce(0) { $0 * 10 + Int($1.value - 48) }
    }

    /// YYYY, YYYY-MM or YYYY-MM-DD with a real month and day.
    private static func isDate(_ s: ArraySlice<Unicode.Scalar>) -> Bool {
        let start = s.startIndex
        guard s.count == 4 || s.count == 7 || s.count == 10, let year = digits(s[start..<start + 4]), year >= 1 else { return false }
        if s.count == 4 { return true }
        guard s[start + 4] == "-", let month = digits(s[start + 5..<start + 7]), (1...12).contains(month) else { return false }
        if s.count == 7 { return true }
        guard s[start + 7] == "-", let day = digits(s[start + 8..<start + 10]), day >= 1 else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return day <= lengths[month - 1]
    }

    /// hh:mm:ss with optional fraction.
    private static func isTime(_ s: ArraySlice<Unicode.Scalar>) -> Bool {
        let start = s.startIndex
        guard s.count >= 8, let hour = digits(s[start..<start + 2]), hour <= 23, s[start + 2] == ":",
              let minute = digits(s[start + 3..<start + 5]), minute <= 59, s[start + 5] == ":",
              let second = digits(s[start + 6..<start + 8]), second <= 60 else { return false }
        if s.count == 8 { return true }
        return s[start + 8] == "." && digits(s[(start + 9)...]) != nil
    }

    /// A date, or (always for an instant) a full date with a time and a zone (Z or ±hh:mm).
    private static func isDateTime(_ s: [Unicode.Scalar], requireTime: Bool) -> Bool {
        guard let t = s.firstIndex(of: "T") else { return !requireTime && isDate(s[...]) }
        guard t == 10, isDate(s[..<t]) else { return false }
        let rest = s[(t + 1)...]
        if rest.last == "Z" { return isTime(rest.dropLast()) }
        guard rest.count >= 14 else { return false }
        let zone = rest.suffix(6)
        let zoneStart = zone.startIndex
        guard zone[zoneStart] == "+" || zone[zoneStart] == "-", let hours = digits(zone[zoneStart + 1..<zoneStart + 3]), hours <= 14,
              zone[zoneStart + 3] == ":", let minutes = digits(zone[zoneStart + 4..<zoneStart + 6]), minutes <= 59 else { return false }
        return isTime(rest.dropLast(6))
    }

    private static func isBase64(_ c: Unicode.Scalar) -> Bool {
        ("A"..."Z").contains(c) || ("a"..."z").contains(c) || ("0"..."9").contains(c) || c == "+" || c == "/" || c == "=" || c == " " || c == "\n" || c == "\r"
    }
}

private extension String {
    var trimmingWhitespace: Substring {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return Substring(scalars[first...last])
    }
}
