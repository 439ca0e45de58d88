import Foundation
import SQLKit

/// Blobs as rows of 1 MiB chunks in the database, so several app servers share them without a
/// shared disk. Chunks are written as they arrive (each in its own short transaction); the blob
/// counts only once its row is marked committed.
public struct DatabaseBlobStore: BlobStore {
    static let chunkSize = 1 << 20
    let database: Database

    public init(database: Database) { self.database = database }

    public func create(id: String) async throws -> any BlobWriter {
        try await database.write { sql in
            try await sql.raw("INSERT INTO blobs (id, committed, created_at) VALUES (\(bind: id), 0, \(bind: Clock.milliseconds(Date())))").run()
        }
        return Writer(database: database, id: id)
    }

    actor Writer: BlobWriter {
        let database: Database
        let id: String
        var buffer: [UInt8] = []
        var sequence = 0

        init(database: Database, id: String) {
            self.database = database
            self.id = id
        }

        func write(_ bytes: [UInt8]) async throws {
            buffer += bytes
            while buffer.count >= DatabaseBlobStore.chunkSize {
                try await flush(Array(buffer.prefix(DatabaseBlobStore.chunkSize)))
                buffer.removeFirst(DatabaseBlobStore.chunkSize)
            }
        }

        private func flush(_ chunk: [UInt8]) async throws {
            let (id, sequence) = (id, sequence)
            try await database.write { sql in
                try await sql.raw("INSERT INTO blob_chunks (blob_id, seq, bytes) VALUES (\(bind: id), \(bind: sequence), \(bind: Data(chunk)))").run()
            }
            self.sequence += 1
        }

        func commit() async throws {
            if !buffer.isEmpty || sequence == 0 { try await flush(buffer) }
            buffer = []
            let id = id
            try await database.write { try await $0.raw("UPDATE blobs SET committed = 1 WHERE id = \(bind: id)").run() }
        }

        func abort() async {
            let id = id
            _ = try? await database.write { sql in
                try await sql.raw("DELETE FROM blob_chunks WHERE blob_id = \(bind: id)").run()
                try await sql.raw("DELETE FROM blobs WHERE id = \(bind: id)").run()
            }
        }
    }

    public func read(id: String, _ consume: ([UInt8]) async throws -> Void) async throws {
        let count = try await database.read { sql in
            try await sql.raw("""
                SELECT COUNT(c.seq) AS n FROM blobs b LEFT JOIN blob_chunks c ON c.blob_id = b.id
                WHERE b.id = \(bind: id) AND b.committed = 1 GROUP BY b.id
                """).first()?.decode(column: "n", as: Int.self)
        }
        guard let count else { throw BlobStoreError.notFound(id) }
        for sequence in 0..<count {
            let bytes = try await database.read { sql in
                try await sql.raw("SELECT bytes FROM blob_chunks WHERE blob_id = \(bind: id) AND seq = \(bind: sequence)")
                    .first()?.decode(column: "bytes", as: Data.self)
            }
            guard let bytes else { throw BlobStoreError.notFound(id) }
            try await consume(Array(bytes))
        }
    }

    public func delete(id: String) async throws {
        try await database.write { sql in
            try await sql.raw("DELETE FROM blob_chunks WHERE blob_id = \(bind: id)").run()
            try await sql.raw("DELETE FROM blobs WHERE id = \(bind: id)").run()
        }
    }

    public func allIDs() async throws -> [String] {
        try await database.read { sql in
            try await sql.raw("SELECT id FROM blobs WHERE committed = 1").all().map { try $0.decode(column: "id", as: String.self) }
        }
    }

    public func createdAt(id: String) async throws -> Date? {
        try await database.read { sql in
            try await sql.raw("SELECT created_at FROM blobs WHERE id = \(bind: id)").first()
                .map { Clock.date(try $0.decode(column: "created_at", as: Int64.self)) }
        }
    }

    /// Other app servers may be mid-upload right now: only writes abandoned for a day are removed.
    public func removeIncomplete() async throws {
        let cutoff = Clock.milliseconds(Date()) - 24 * 3_600_000
        try await database.write { sql in
            try await sql.raw("DELETE FROM blob_chunks WHERE blob_id IN (SELECT id FROM blobs WHERE committed = 0 AND created_at < \(bind: cutoff))").run()
            try await sql.raw("DELETE FROM blobs WHERE committed = 0 AND created_at < \(bind: cutoff)").run()
        }
    }
}
