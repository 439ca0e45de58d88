import CareVaultCore
import CareVaultStore
import Foundation

/// A contribution's review status in the words pages use.
enum ReviewWords {
    /// "Verified by Dr Lee on November 20, 2026", "Submitted", "Returned: please upload page 2".
    static func status(_ item: ReviewItem, zone: TimeZone) -> String {
        switch item.status {
        case .accepted:
            "Verified" + (item.reviewerName.map { " by \($0)" } ?? "") + (item.reviewedAt.map { " on \(PlainDate.day($0, in: zone))" } ?? "")
        case .returned:
            "Returned" + (item.comment.map { ": \($0)" } ?? "")
        default:
            item.status.title
        }
    }
}
