import Foundation
import Logging
import SQLKit

/// Applies pending migrations in order, each in its own transaction, and records them in
/// `schema_migrations`. Safe to run from several servers at once on PostgreSQL (advisory lock).
public struct Migrator: Sendable {
    public static let all: [any Migration] = [
        M001Foundation(),
        M002FHIRStore(),
        M003RecordSectionsAndRelease(),
        M004PatientUploads(),
        M005ReviewAndSettings(),
        M006IndexMoreDates(),
        M007UploadPreviews(),
        M008LabResultsIndex(),
        M009CodesByPatient(),
        M010ReleaseIndex(),
        M011UnopenedIndex(),
        M012EncounterItemsIndex(),
        M013PatientIDSystems(),
        M014RegistrationRequests(),
        M015AuditEntities(),
        M016ProxyGrants(),
        M017Disclosures(),
        M018ProxyWideningAndComingOfAge(),
        M019ShareLinks(),
        M020ImageConsents(),
        M021ConsentShare(),
    ]

    private let database: Database
    private let migrations: [any Migration]

    public init(database: Database, migrations: [any Migration] = Migrator.all) {
        self.database = database
        self.migrations = migrations
    }

    /// Applies what is pending; returns the numbers applied now.
    @discardableResult
    public func migrate(logger: Logger) async throws -> [Int] {
        try await database.write { sql in
            try await sql.raw("""
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    number INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at \(unsafeRaw: ColumnTypes(kind: database.kind).bigint) NOT NULL)
                """).run()
        }
        var applied: [Int] = []
        for migration in migrations.sorted(by: { $0.number < $1.number }) {
            let ran = try await database.write { sql -> Bool in
                if database.kind == .postgresql {
                    try await sql.raw("SELECT pg_advisory_xact_lock(7426817)").run()
                }
                let done = try await sql.raw("SELECT number FROM schema_migrations WHERE number = \(bind: migration.number)").first()
                if done != nil { return false }
                for statement in migration.statements(for: ColumnTypes(kind: database.kind)) {
                    try await sql.raw("\(unsafeRaw: statement)").run()
                }
                try await migration.backfill(on: sql)
                try await sql.raw("""
                    INSERT INTO schema_migrations (number, name, applied_at)
                    VALUES (\(bind: migration.number), \(bind: migration.name), \(bind: Clock.milliseconds(Date())))
                    """).run()
                return true
            }
            if ran {
                logger.info("Applied migration", metadata: ["number": "\(migration.number)", "name": "\(migration.name)"])
                applied.append(migration.number)
            }
        }
        return applied
    }

    /// The numbers of migrations already applied.
    public func appliedNumbers() async throws -> [Int] {
        try await database.read { sql in
            try await sql.raw("SELECT number FROM schema_migrations ORDER BY number").all()
                .map { try $0.decode(column: "number", as: Int.self) }
        }
    }
}

/// Conversions between `Date` and the stored form (milliseconds since 1970, UTC).
public enum Clock {
    public static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    public static func date(_ milliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000)
    }
}
