import Foundation
import PostgresNIO
import SQLiteKit

/// What may be written to the log about an error from storage. A PostgreSQL error's DETAIL, hint
/// and statement can quote the row that failed — a patient's name, a result — so only its SQLSTATE
/// and constraint name are kept; SQLite's reason code likewise; anything else by its type alone.
public enum LoggableError {
    public static func describe(_ error: any Error) -> String {
        switch error {
        case let error as PSQLError:
            let state = error.serverInfo?[.sqlState] ?? "none"
            let constraint = error.serverInfo?[.constraintName].map { ", constraint \($0)" } ?? ""
            return "PostgreSQL error, SQLSTATE \(state)\(constraint)"
        case let error as SQLiteError:
            return "SQLite error (\(error.reason))"
        default:
            return String(reflecting: type(of: error))
        }
    }
}
