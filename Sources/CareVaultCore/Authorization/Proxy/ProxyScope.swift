/// One permission a patient gives a proxy, chosen separately and shown in plain words.
public enum ProxyScope: String, Sendable, Hashable, CaseIterable, Codable {
    case seeRecord = "see-record"
    case download
    case contribute
    case requestRecords = "request-records"
    case appointmentsAndMessages = "appointments-messages"
    case manageProxies = "manage-proxies"

    /// "See the record", as the patient and the proxy read it.
    public var plainText: String {
        switch self {
        case .seeRecord: "See the record, and who has seen it"
        case .download: "Download, export and share the record"
        case .contribute: "Add files and readings on the patient's behalf"
        case .requestRecords: "Ask for records and corrections"
        case .appointmentsAndMessages: "Manage appointments and messages"
        case .manageProxies: "Manage other people's access"
        }
    }

    /// The record actions this scope allows. Scopes of features still to come allow none yet: they are
    /// stored and shown as "not available yet".
    public var actions: Set<Action> {
        switch self {
        case .seeRecord: [.readRecord, .readAccessLog]
        case .download: [.downloadRecord, .shareRecord]
        case .contribute: [.contributeToRecord]
        case .manageProxies: [.manageRecordAccess]
        case .requestRecords, .appointmentsAndMessages: []
        }
    }

    /// Whether CareVault does what this scope allows yet.
    public var isAvailable: Bool { !actions.isEmpty }

    /// What a new grant offers ticked: everything but managing other proxies.
    public static let defaults: Set<ProxyScope> = Set(allCases).subtracting([.manageProxies])
}
