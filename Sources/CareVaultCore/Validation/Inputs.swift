import Foundation

/// Validated input values. Each parser trims what people commonly add by accident and
/// names the field in its error.
public enum Inputs {
    /// An email address: one `@`, a dotted domain, no spaces; stored lowercased.
    public static func email(_ raw: String, field: String = "email") throws(FieldError) -> String {
        let value = raw.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        guard !value.isEmpty else { throw FieldError(field: field, message: "Enter your email address.") }
        let parts = value.split(separator: "@", omittingEmptySubsequences: false)
        guard value.count <= 254, parts.count == 2, !parts[0].isEmpty,
              parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
              !value.contains(where: { $0.isWhitespace || $0 == "<" || $0 == ">" || $0 == "\"" })
        else {
            throw FieldError(field: field, message: "Enter an email address like name@example.com.")
        }
        return value
    }

    /// A person's name part (given or family): 1–100 characters, any script.
    public static func name(_ raw: String, field: String, label: String) throws(FieldError) -> String {
        let value = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            .precomposedStringWithCanonicalMapping
        guard !value.isEmpty else { throw FieldError(field: field, message: "Enter the \(label).") }
        guard value.count <= 100 else {
            throw FieldError(field: field, message: "The \(label) must be 100 characters or fewer.")
        }
        guard !value.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) }) else {
            throw FieldError(field: field, message: "The \(label) contains characters that are not allowed.")
        }
        return value
    }

    /// A date of birth as `YYYY-MM-DD`: a real calendar date, not in the future, not before 1880.
    public static func birthDate(_ raw: String, field: String = "birthDate", today: Date = Date()) throws(FieldError) -> BirthDate {
        let value = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let date = BirthDate(value) else {
            throw FieldError(field: field, message: "Enter the date of birth as year-month-day, for example 1980-04-23.")
        }
        guard date.year >= 1880, date <= BirthDate(today) else {
            throw FieldError(field: field, message: "Enter a date of birth in the past.")
        }
        return date
    }

    /// A patient ID (medical record number): 1–64 letters, digits, `-`, `_` or `.`; kept as written.
    public static func mrn(_ raw: String, field: String = "mrn") throws(FieldError) -> String {
        let value = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !value.isEmpty else { throw FieldError(field: field, message: "Enter the patient ID.") }
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-_."))
        guard value.count <= 64, value.unicodeScalars.allSatisfy({ $0.isASCII && allowed.contains($0) }) else {
            throw FieldError(field: field, message: "A patient ID has up to 64 letters, digits, dashes, underscores or dots.")
        }
        return value
    }

    /// A six-digit one-time code, allowing spaces people type between groups.
    public static func oneTimeCode(_ raw: String, field: String = "code") throws(FieldError) -> String {
        let digits = raw.filter { !$0.isWhitespace && $0 != "-" }
        guard digits.count == 6, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw FieldError(field: field, message: "Enter the 6-digit code from your authenticator app.")
        }
        return digits
    }
}
