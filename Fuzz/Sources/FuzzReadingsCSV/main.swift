// ReadingsCSV.rows: a patient's file of home readings, decoded as the server does (UTF-8 or refused).
// The clinic's time zone is chosen from the input's size, among zones with odd offsets and DST.
import CareVaultCore
import Foundation
import FuzzSupport

let zones = ["UTC", "America/Chicago", "Asia/Kolkata", "Pacific/Chatham", "Australia/Lord_Howe", "America/St_Johns"]
    .map { TimeZone(identifier: $0)! }
/// 2026-12-02 12:00 UTC: a fixed "now", so a crash replays exactly.
let now = Date(timeIntervalSince1970: 1_796_212_800)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let text = String(data: Data(bytes: data, count: size), encoding: .utf8) else { return 0 }
    let rows: [ReadingsCSV.Row]
    do { rows = try ReadingsCSV.rows(text, now: now, timeZone: zones[size % zones.count]) } catch { note("refused: \(error.message)"); return 0 }
    note("\(rows.count) rows, \(rows.compactMap(\.reading).count) readings")
    require(rows.count <= ReadingsCSV.maximumRows, "\(rows.count) rows accepted")
    for (index, row) in rows.enumerated() {
        _ = row.problems
        require(index == 0 || row.line > rows[index - 1].line, "line numbers out of order")
    }
    return 0
}
