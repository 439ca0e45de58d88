import Foundation

/// The most common passwords seen in breaches (19,640 entries, bundled), compared case-insensitively.
public struct BreachedPasswordList: Sendable {
    private let entries: Set<String>

    public init(entries: some Sequence<String>) {
        self.entries = Set(entries.map { $0.lowercased() })
    }

    /// The list bundled with CareVault (`Resources/common-passwords.txt`).
    public static let bundled: BreachedPasswordList = {
        guard let url = Bundle.module.url(forResource: "common-passwords", withExtension: "txt"),
              let text = try? String(contentsOf: url, encoding: .utf8)
        else {
            // A missing resource is a packaging bug; failing closed would lock everyone out, so fail loudly.
            fatalError("CareVaultCore resource common-passwords.txt is missing from the bundle")
        }
        return BreachedPasswordList(entries: text.split(whereSeparator: \.isNewline).map(String.init))
    }()

    public var count: Int { entries.count }

    public func contains(_ password: String) -> Bool {
        entries.contains(password.lowercased())
    }
}
