import Foundation

/// When repeated failures (passwords or codes) pause an account, and for how long.
///
/// After ``threshold`` failures in a row the account is locked; each further lock-out lasts longer
/// (1, 5, 15, 60 minutes, then 60 minutes each time). A successful sign-in clears both counters.
public struct LockoutPolicy: Sendable {
    public static let threshold = 5
    static let durations: [TimeInterval] = [60, 5 * 60, 15 * 60, 60 * 60]

    public struct State: Sendable, Equatable {
        public var failedAttempts: Int
        public var lockouts: Int
        public var lockedUntil: Date?

        public init(failedAttempts: Int, lockouts: Int, lockedUntil: Date?) {
            self.failedAttempts = failedAttempts
            self.lockouts = lockouts
            self.lockedUntil = lockedUntil
        }

        public func isLocked(at now: Date) -> Bool { lockedUntil.map { $0 > now } ?? false }
    }

    public init() {}

    /// The state after one more failure at `now`.
    public func afterFailure(_ state: State, at now: Date) -> State {
        let failures = state.failedAttempts + 1
        guard failures >= Self.threshold else {
            return State(failedAttempts: failures, lockouts: state.lockouts, lockedUntil: state.lockedUntil)
        }
        let duration = Self.durations[min(state.lockouts, Self.durations.count - 1)]
        return State(failedAttempts: 0, lockouts: state.lockouts + 1, lockedUntil: now.addingTimeInterval(duration))
    }

    /// The state once the ``threshold``th failure in a row locks the account (`lockouts` before it).
    public func locked(lockouts: Int, at now: Date) -> State {
        let duration = Self.durations[min(lockouts, Self.durations.count - 1)]
        return State(failedAttempts: 0, lockouts: lockouts + 1, lockedUntil: now.addingTimeInterval(duration))
    }

    /// A plain-language message for a locked account.
    public static func message(lockedUntil: Date, now: Date) -> String {
        let minutes = max(1, Int((lockedUntil.timeIntervalSince(now) / 60).rounded(.up)))
        let unit = minutes == 1 ? "minute" : "minutes"
        return "Too many attempts. For your safety, sign-in is paused for \(minutes) \(unit). Try again after that, or reset your password."
    }
}
