/// One problem with one input field, in words a person can act on.
public struct FieldError: Error, Sendable, Equatable {
    /// The name of the field as the form or command knows it (e.g. `birthDate`).
    public let field: String
    public let message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }
}

/// Every problem found in one submitted form or command, so all can be shown at once.
public struct ValidationFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public let errors: [FieldError]

    public init(_ errors: [FieldError]) { self.errors = errors }

    /// The message for a field, if it has one.
    public func message(for field: String) -> String? {
        errors.first { $0.field == field }?.message
    }

    public var description: String {
        errors.map { "\($0.field): \($0.message)" }.joined(separator: "; ")
    }
}

/// Collects field errors while a form is checked, then throws them together.
public struct FieldValidator: Sendable {
    public private(set) var errors: [FieldError] = []

    public init() {}

    /// Runs one check; a thrown ``FieldError`` is recorded and `nil` returned.
    public mutating func check<T>(_ body: () throws(FieldError) -> T) -> T? {
        do {
            return try body()
        } catch {
            errors.append(error)
            return nil
        }
    }

    public mutating func add(_ error: FieldError) { errors.append(error) }

    /// Throws a ``ValidationFailure`` if any check failed.
    public func finish() throws(ValidationFailure) {
        if !errors.isEmpty { throw ValidationFailure(errors) }
    }
}
