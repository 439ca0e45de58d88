import CareVaultCore
import Foundation

extension SettingsRepository {
    /// The clinic's changes to the proxy rules: which confidential kinds of care apply and their codes,
    /// and whether clinical notes are hidden from parents.
    public static let proxyRules = "proxy.rules"

    private struct Stored: Codable {
        struct Category: Codable {
            var id: String
            var applies: Bool
            var codes: [String]
        }
        var hidesClinicalNotes: Bool
        var confidential: [Category]
    }

    /// `defaults` with what an administrator changed (a setting that cannot be read changes nothing).
    public func proxyRules(over defaults: ProxyRules) async throws -> ProxyRules {
        guard let text = try await value(Self.proxyRules), let stored = try? JSONDecoder().decode(Stored.self, from: Data(text.utf8)) else {
            return defaults
        }
        var rules = defaults
        rules.hidesClinicalNotesFromParents = stored.hidesClinicalNotes
        for (index, category) in rules.confidential.enumerated() {
            guard let changed = stored.confidential.first(where: { $0.id == category.id }) else { continue }
            rules.confidential[index].applies = changed.applies
            rules.confidential[index].codes = Set(changed.codes)
        }
        return rules
    }

    /// Stores the administrator's proxy rules.
    public func setProxyRules(_ rules: ProxyRules, by account: AccountID?, at time: Date) async throws {
        let stored = Stored(hidesClinicalNotes: rules.hidesClinicalNotesFromParents,
                            confidential: rules.confidential.map { .init(id: $0.id, applies: $0.applies, codes: $0.codes.sorted()) })
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        try await set(Self.proxyRules, to: String(decoding: try encoder.encode(stored), as: UTF8.self), by: account, at: time)
    }
}
