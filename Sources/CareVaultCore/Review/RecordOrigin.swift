/// Where an item of the record came from, read from its stored source: the clinic, an import from
/// another system, the patient, or someone acting for them.
public enum RecordOrigin: Sendable, Equatable {
    case clinic
    /// Imported from a file or system (its name).
    case imported(String)
    case patient
    /// Someone acting for the patient (their account's id, as stored).
    case proxy(account: String)

    public static func source(forPatient account: String) -> String { "patient:\(account)" }
    public static func source(forProxy account: String) -> String { "proxy:\(account)" }

    public init(source: String) {
        if source.hasPrefix("import:") {
            self = .imported(String(source.dropFirst(7)))
        } else if source.hasPrefix("patient:") {
            self = .patient
        } else if source.hasPrefix("proxy:") {
            self = .proxy(account: String(source.dropFirst(6)))
        } else {
            self = .clinic
        }
    }

    /// Whether the patient's side provided it (so a clinician has not confirmed it unless verified).
    public var isPatientProvided: Bool {
        switch self {
        case .patient, .proxy: true
        case .clinic, .imported: false
        }
    }

    /// "From your clinic", "Added by you", as the patient reads it; clinicians read "the patient". A
    /// proxy's item names them when `proxyNames` knows them: "Added by Ana Lopez for Maria Lopez".
    public func text(toPatient: Bool, patientName: String? = nil, proxyNames: [String: String] = [:]) -> String {
        switch self {
        case .clinic: toPatient ? "From your clinic" : "From the clinic"
        case .imported(let name): "Imported from \(name) by the clinic"
        case .patient: toPatient ? "Added by you" : "Added by the patient"
        case .proxy(let account):
            if let name = proxyNames[account] {
                "Added by \(name) for \(toPatient ? "you" : patientName ?? "the patient")"
            } else {
                toPatient ? "Added by someone you gave access to" : "Added by the patient's proxy"
            }
        }
    }

    /// The proxy's account behind an item they added.
    public var proxyAccount: String? {
        if case .proxy(let account) = self { return account }
        return nil
    }
}
