import CareVaultCore
import Foundation
import SQLKit

extension SQLRow {
    func string(_ column: String) throws -> String { try decode(column: column, as: String.self) }
    func optionalString(_ column: String) throws -> String? { try decode(column: column, as: String?.self) }
    func int(_ column: String) throws -> Int { Int(try decode(column: column, as: Int64.self)) }
    func date(_ column: String) throws -> Date { Clock.date(try decode(column: column, as: Int64.self)) }
    func optionalDate(_ column: String) throws -> Date? {
        try decode(column: column, as: Int64?.self).map(Clock.date)
    }
    func id<Tag>(_ column: String) throws -> Identifier<Tag> {
        let text = try string(column)
        guard let id = Identifier<Tag>(text) else { throw DatabaseError.unexpectedResult("bad id in \(column)") }
        return id
    }
    func optionalID<Tag>(_ column: String) throws -> Identifier<Tag>? {
        guard let text = try optionalString(column) else { return nil }
        return Identifier<Tag>(text)
    }
}

extension Date {
    /// The stored form: milliseconds since 1970 UTC.
    var ms: Int64 { Clock.milliseconds(self) }
}
