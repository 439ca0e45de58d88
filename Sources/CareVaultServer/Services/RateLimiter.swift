import Foundation
import Synchronization

/// A fixed-window request counter per key (client IP and route group), kept in memory.
///
/// With several app servers each keeps its own count; the per-account lock-out in the database
/// is what holds across servers.
public final class RateLimiter: Sendable {
    private struct Window {
        var start: ContinuousClock.Instant
        var count: Int
    }

    private let limit: Int
    private let period: Duration
    private let windows = Mutex<[String: Window]>([:])

    public init(limit: Int, per period: Duration) {
        self.limit = limit
        self.period = period
    }

    /// Counts one request; returns nil if allowed, else how long to wait.
    public func check(_ key: String, now: ContinuousClock.Instant = .now) -> Duration? {
        windows.withLock { windows in
            if windows.count > 50_000 {
                windows = windows.filter { now - $0.value.start < period }
            }
            var window = windows[key] ?? Window(start: now, count: 0)
            if now - window.start >= period { window = Window(start: now, count: 0) }
            window.count += 1
            windows[key] = window
            return window.count > limit ? period - (now - window.start) : nil
        }
    }
}
