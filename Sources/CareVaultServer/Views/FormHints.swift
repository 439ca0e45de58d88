/// Hints under form fields that more than one form shows, worded once.
enum FormHints {
    static let password = "At least 12 characters. A few unrelated words work well, for example: lamp river orange boots"
    static let birthDate = "Year, month and day, for example 1980-04-23"
}
