import CareVaultCore
import CareVaultStore

/// A share's recipient reading through the record's door: no account, the share's grant as a
/// delegate, and the request's origin and audit event.
struct ShareReaderContext: RecordReaderContext {
    let share: ShareLink
    let info: RequestInfo
    let recordAudit: RecordAccessAudit

    var readerAccount: Account? { nil }
    var actor: Actor { .delegate(account: nil, grant: AccessGrant(share: share)) }
}
