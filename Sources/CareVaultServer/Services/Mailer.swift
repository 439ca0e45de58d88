import CareVaultCore
import CareVaultStore
import Foundation
import Logging

/// Queues email in the outbox table, in the same transaction as the change that caused it.
/// Bodies are sealed with the master key because they carry single-use links. A real SMTP sender
/// can later drain the outbox behind this same interface.
public struct Mailer: Sendable {
    let masterKey: MasterKey
    let logger: Logger
    let logBodies: Bool

    public func queue(to recipient: String, subject: String, body: String, on sql: Database.DatabaseConnection) async throws {
        try await OutboxRepository(sql).insert(try message(to: recipient, subject: subject, body: body))
    }

    /// Queues a message through a record's writer, in its transaction (mail about that record).
    func queue(to recipient: String, subject: String, body: String, with writer: PatientRecordWriter) async throws {
        try await writer.insert(mail: try message(to: recipient, subject: subject, body: body))
    }

    /// The message to queue, its body sealed.
    private func message(to recipient: String, subject: String, body: String) throws -> OutboxMessage {
        let sealed = try masterKey.seal(Data(body.utf8), context: "outbox").base64EncodedString()
        let message = OutboxMessage(recipient: recipient, subject: subject, bodySealed: sealed, createdAt: Date())
        if logBodies {
            // Development only (CAREVAULT_MAIL_LOG_BODIES): the body holds a live single-use link.
            logger.notice("Mail queued (development copy follows)", metadata: ["subject": "\(subject)", "body": "\(body)"])
        } else {
            logger.info("Mail queued; read it with `carevault outbox`", metadata: ["message": "\(message.id)"])
        }
        return message
    }

    /// Decrypts a queued message's body (for `carevault outbox`).
    public func body(of message: OutboxMessage) throws -> String {
        guard let data = Data(base64Encoded: message.bodySealed) else { throw MasterKeyError.sealFailed }
        return String(decoding: try masterKey.open(data, context: "outbox"), as: UTF8.self)
    }
}
