/// When new items of a record section become visible to the patient. An admin sets one per section;
/// the default is to release at once, as the 21st Century Cures Act expects.
public enum ReleaseRule: Sendable, Equatable, Codable {
    case immediately
    /// Visible this many hours after they arrive (1…720).
    case afterDelay(hours: Int)
    /// Held until a clinician releases them.
    case afterSignOff

    public static let maximumDelayHours = 720

    /// The time from which the patient sees an item that arrived at `arrival` (milliseconds since 1970); nil while held.
    public func availableAt(arrival: Int64) -> Int64? {
        switch self {
        case .immediately: arrival
        case .afterDelay(let hours): arrival + Int64(hours) * 3_600_000
        case .afterSignOff: nil
        }
    }

    /// The rule in words, for the admin page and the patient's notices.
    public var description: String {
        switch self {
        case .immediately: "Released at once"
        case .afterDelay(let hours): hours % 24 == 0 ? "Released after \(hours / 24) day\(hours == 24 ? "" : "s")" : "Released after \(hours) hour\(hours == 1 ? "" : "s")"
        case .afterSignOff: "Released after a clinician reviews it"
        }
    }

    /// The stored form: `immediately`, `delay` (with hours) or `sign-off`.
    public var storedName: String {
        switch self {
        case .immediately: "immediately"
        case .afterDelay: "delay"
        case .afterSignOff: "sign-off"
        }
    }

    public var delayHours: Int? {
        if case .afterDelay(let hours) = self { return hours }
        return nil
    }

    /// Reads the stored form back; nil for anything unknown or a delay out of range.
    public init?(storedName: String, delayHours: Int?) {
        switch storedName {
        case "immediately": self = .immediately
        case "sign-off": self = .afterSignOff
        case "delay":
            guard let hours = delayHours, (1...Self.maximumDelayHours).contains(hours) else { return nil }
            self = .afterDelay(hours: hours)
        default: return nil
        }
    }
}
