import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The data folder holds the master key, the database and every uploaded file: nobody but the
/// server's own user may read any of it. The process creates files 0600 and folders 0700 (its umask
/// says so, whatever the shell's was), and at start-up anything looser already in the folder — from an
/// older version, a restore, a copy made by hand — is tightened, and the log says how much.
enum DataFolderPermissions {
    static let fileMode: mode_t = 0o600
    static let folderMode: mode_t = 0o700

    /// New files 0600, new folders 0700, for everything this process creates from now on (SQLite's
    /// files, exports, previews, blobs) — set before any of them exists.
    static func restrictNewFiles() {
        umask(0o077)
    }

    /// Tightens every file and folder under `folder` (not following links) that others could read;
    /// returns how many were changed.
    @discardableResult
    static func repair(_ folder: URL, logger: Logger) -> Int {
        var changed = 0
        func tighten(_ path: String, to mode: mode_t, current: mode_t) {
            guard current & 0o077 != 0 else { return }
            if chmod(path, mode) == 0 { changed += 1 }
        }
        var info = stat()
        guard lstat(folder.path, &info) == 0 else { return 0 }
        tighten(folder.path, to: folderMode, current: info.st_mode & 0o777)
        if let walker = FileManager.default.enumerator(atPath: folder.path) {
            while let relative = walker.nextObject() as? String {
                let path = folder.appendingPathComponent(relative).path
                guard lstat(path, &info) == 0 else { continue }
                switch info.st_mode & S_IFMT {
                case S_IFDIR: tighten(path, to: folderMode, current: info.st_mode & 0o777)
                case S_IFREG: tighten(path, to: fileMode, current: info.st_mode & 0o777)
                default: continue  // links and anything else are left alone
                }
            }
        }
        if changed > 0 {
            logger.warning("Tightened permissions in the data folder: only the server's user may read it",
                           metadata: ["changed": "\(changed)", "folder": "\(folder.path)", "files": "0600", "folders": "0700"])
        }
        return changed
    }
}
