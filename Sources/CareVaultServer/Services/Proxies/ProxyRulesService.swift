import CareVaultCore
import CareVaultStore
import Foundation

/// The clinic's proxy rules as an administrator set them over the configured defaults, and changing
/// them (audited). The record's door reads them afresh for every proxy request.
struct ProxyRulesService: Sendable {
    /// At most this many codes per kind of care, each at most this long.
    static let maximumCodes = 500
    static let maximumCodeLength = 300
    let env: AppEnvironment

    func current() async throws -> ProxyRules {
        let defaults = env.configuration.proxyRules
        return try await env.database.read { try await SettingsRepository($0).proxyRules(over: defaults) }
    }

    /// Reads one kind's codes as typed (one `system|code` per line); throws naming the field.
    static func codes(_ text: String, field: String) throws(FieldError) -> Set<String> {
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard lines.count <= maximumCodes else { throw FieldError(field: field, message: "Enter at most \(maximumCodes) codes.") }
        for line in lines {
            let parts = line.split(separator: "|", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, line.count <= maximumCodeLength else {
                throw FieldError(field: field, message: "Write each code as system|code on its own line, for example http://snomed.info/sct|35489007.")
            }
        }
        return Set(lines)
    }

    func save(_ rules: ProxyRules, by admin: Account, info: RequestInfo) async throws {
        try await env.database.write { sql in
            try await SettingsRepository(sql).setProxyRules(rules, by: admin.id, at: Date())
            try await env.audit.record(AuditEvent(.proxyRulesChanged, info: info, actor: admin, resourceType: "Setting",
                                                  resourceID: SettingsRepository.proxyRules), on: sql)
        }
    }
}
