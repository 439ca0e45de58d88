import CareVaultCore
import Foundation

/// A server-side session. The cookie holds a random 256-bit id; only its hash is stored.
public struct SessionRecord: Sendable, Equatable {
    /// How far sign-in has got.
    public enum Stage: String, Sendable {
        /// Password accepted; the second factor is still to come.
        case awaitingSecondFactor = "awaiting-second-factor"
        /// Fully signed in.
        case signedIn = "signed-in"
    }

    public var idHash: String
    /// A public, non-secret name for the session, used by the Devices page to revoke it.
    public var handle: String
    public var account: AccountID
    public var stage: Stage
    public var createdAt: Date
    public var lastSeenAt: Date
    /// The absolute end of the session, whatever the activity.
    public var expiresAt: Date
    public var clientIP: String?
    public var userAgent: String?
    public var revokedAt: Date?

    public init(idHash: String, handle: String, account: AccountID, stage: Stage, createdAt: Date, lastSeenAt: Date,
                expiresAt: Date, clientIP: String?, userAgent: String?, revokedAt: Date? = nil) {
        self.idHash = idHash
        self.handle = handle
        self.account = account
        self.stage = stage
        self.createdAt = createdAt
        self.lastSeenAt = lastSeenAt
        self.expiresAt = expiresAt
        self.clientIP = clientIP
        self.userAgent = userAgent
        self.revokedAt = revokedAt
    }
}
