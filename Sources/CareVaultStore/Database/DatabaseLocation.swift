import Foundation

/// Where the data lives: an SQLite file, or a PostgreSQL server named by a `postgres://` URL.
public enum DatabaseLocation: Sendable, Equatable {
    case sqliteFile(path: String)
    case postgres(PostgresSettings)

    /// Reads `DATABASE_URL` if given, else the SQLite file `carevault.sqlite` in the data folder.
    public static func resolve(databaseURL: String?, dataDirectory: URL) throws -> DatabaseLocation {
        guard let databaseURL, !databaseURL.isEmpty else {
            return .sqliteFile(path: dataDirectory.appendingPathComponent("carevault.sqlite").path)
        }
        return .postgres(try PostgresSettings(url: databaseURL))
    }

    public var kind: DatabaseKind {
        switch self {
        case .sqliteFile: .sqlite
        case .postgres: .postgresql
        }
    }
}

/// Connection settings parsed from `postgres://user:password@host:port/database?sslmode=…`.
public struct PostgresSettings: Sendable, Equatable {
    public enum TLSMode: String, Sendable { case disable, prefer, require }

    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String?
    public var tls: TLSMode

    public init(host: String, port: Int, username: String, password: String?, database: String?, tls: TLSMode = .disable) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.tls = tls
    }

    public init(url text: String) throws {
        guard let components = URLComponents(string: text),
              let scheme = components.scheme, ["postgres", "postgresql"].contains(scheme),
              let host = components.host, !host.isEmpty
        else {
            throw DatabaseError.invalidURL("DATABASE_URL must look like postgres://user:password@host:5432/database")
        }
        let mode = components.queryItems?.first { $0.name == "sslmode" }?.value ?? "disable"
        guard let tls = TLSMode(rawValue: mode) else {
            throw DatabaseError.invalidURL("DATABASE_URL sslmode must be disable, prefer or require")
        }
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        self.init(
            host: host,
            port: components.port ?? 5432,
            username: components.user?.removingPercentEncoding ?? "postgres",
            password: components.password?.removingPercentEncoding,
            database: path.isEmpty ? nil : path,
            tls: tls
        )
    }
}

public enum DatabaseError: Error, CustomStringConvertible {
    case invalidURL(String)
    case unexpectedResult(String)

    public var description: String {
        switch self {
        case .invalidURL(let message): message
        case .unexpectedResult(let message): "Unexpected database result: \(message)"
        }
    }
}
