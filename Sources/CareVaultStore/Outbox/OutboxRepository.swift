import CareVaultCore
import Foundation
import SQLKit

/// A message waiting in the outbox. The body (which may hold a single-use link) is stored sealed.
public struct OutboxMessage: Sendable, Equatable {
    public var id: UUID
    public var recipient: String
    public var subject: String
    public var bodySealed: String
    public var createdAt: Date
    public var sentAt: Date?

    public init(id: UUID = UUID(), recipient: String, subject: String, bodySealed: String, createdAt: Date, sentAt: Date? = nil) {
        self.id = id
        self.recipient = recipient
        self.subject = subject
        self.bodySealed = bodySealed
        self.createdAt = createdAt
        self.sentAt = sentAt
    }
}

/// Reads and writes `outbox`.
public struct OutboxRepository: Sendable {
    private let sql: any SQLDatabase

    public init(_ sql: any SQLDatabase) { self.sql = sql }

    public func insert(_ m: OutboxMessage) async throws {
        try await sql.raw("""
            INSERT INTO outbox (id, recipient, subject, body_sealed, created_at)
            VALUES (\(bind: m.id.uuidString.lowercased()), \(bind: m.recipient), \(bind: m.subject), \(bind: m.bodySealed), \(bind: m.createdAt.ms))
            """).run()
    }

    /// Newest first.
    public func list(limit: Int) async throws -> [OutboxMessage] {
        try await sql.raw("SELECT * FROM outbox ORDER BY created_at DESC, id LIMIT \(bind: limit)").all().map { row in
            OutboxMessage(
                id: UUID(uuidString: try row.string("id")) ?? UUID(), recipient: try row.string("recipient"),
                subject: try row.string("subject"), bodySealed: try row.string("body_sealed"),
                createdAt: try row.date("created_at"), sentAt: try row.optionalDate("sent_at")
            )
        }
    }
}
