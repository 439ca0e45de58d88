import CareVaultCore
import CareVaultStore
import Foundation

/// How a page tells the patient that items are waiting, without saying what they are.
enum PendingWords {
    /// "3 items are waiting…".
    static func note(_ pending: RecordReleaseRepository.Pending, zone: TimeZone) -> PendingNote {
        let items = pending.count == 1 ? "1 new item is" : "\(pending.count) new items are"
        if pending.awaitingReview == pending.count {
            return PendingNote(text: "\(items) waiting for your care team to review. You will see \(pending.count == 1 ? "it" : "them") here once released.")
        }
        let when = pending.nextRelease.map { PlainDate.instant(Clock.date($0), in: zone) } ?? "soon"
        return PendingNote(text: "\(items) not shown yet. The next will appear here on \(when).")
    }
}
