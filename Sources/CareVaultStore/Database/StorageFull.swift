import Foundation
import NIOCore
import PostgresNIO
import SQLiteKit

/// Recognizes the errors that mean the server has run out of room — the disk under the data
/// folder (blobs, spool files, the SQLite file) or PostgreSQL's storage — so the person gets
/// "out of storage space" rather than a generic failure, and the operator a log line that says
/// what to fix.
public enum StorageFull {
    /// Whether `error` (or the error it wraps) reports a full disk or an exhausted quota.
    public static func isCause(of error: any Error) -> Bool {
        switch error {
        case let error as BlobFileError:
            return isFull(errno: error.code)
        case let error as IOError:
            return isFull(errno: error.errnoCode)
        case let error as SQLiteError:
            return error.reason == .full
        case let error as PSQLError:
            // Class 53, insufficient resources: disk_full.
            return error.serverInfo?[.sqlState] == "53100"
        case let error as CocoaError:
            return error.code == .fileWriteOutOfSpace || (error.underlying.map(isCause(of:)) ?? false)
        default:
            let error = error as NSError
            if error.domain == NSPOSIXErrorDomain { return isFull(errno: Int32(truncatingIfNeeded: error.code)) }
            return (error.userInfo[NSUnderlyingErrorKey] as? any Error).map(isCause(of:)) ?? false
        }
    }

    private static func isFull(errno code: Int32) -> Bool {
        code == ENOSPC || code == EDQUOT
    }
}

extension CocoaError {
    fileprivate var underlying: (any Error)? { userInfo[NSUnderlyingErrorKey] as? any Error }
}
