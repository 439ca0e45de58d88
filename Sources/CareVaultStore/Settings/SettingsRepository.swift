import CareVaultCore
import Foundation
import SQLKit

/// Site settings an administrator changes (the `settings` table), each a named text value.
public struct SettingsRepository: Sendable {
    /// How many days a deleted upload keeps its bytes before they are erased.
    public static let uploadRetentionDays = "uploads.retention-days"
    public static let defaultUploadRetentionDays = 30

    private let sql: any SQLDatabase

    public init(_ sql: any SQLDatabase) { self.sql = sql }

    public func value(_ name: String) async throws -> String? {
        try await sql.raw("SELECT value FROM settings WHERE name = \(bind: name)").first().map { try $0.string("value") }
    }

    public func set(_ name: String, to value: String, by account: AccountID?, at time: Date) async throws {
        try await sql.raw("""
            INSERT INTO settings (name, value, updated_by, updated_at) VALUES (\(bind: name), \(bind: value), \(bind: account?.description), \(bind: time.ms))
            ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_by = excluded.updated_by, updated_at = excluded.updated_at
            """).run()
    }

    /// Days a deleted upload keeps its bytes (0: erased at the next sweep).
    public func uploadRetentionDays() async throws -> Int {
        try await value(Self.uploadRetentionDays).flatMap(Int.init) ?? Self.defaultUploadRetentionDays
    }
}
