import CareVaultCore
import CareVaultStore
import Foundation

/// Makes and ends a patient's shares, through the record's door: the record must have been opened for
/// ``Action/shareRecord`` (the patient, or a proxy who may download). Every share is audited with
/// exactly what it names; its token and code are handed out once and stored as keyed hashes.
struct ShareService: Sendable {
    let env: AppEnvironment

    /// How the patient wants the share to work.
    struct Choices: Sendable, Equatable {
        var label = ""
        var note = ""
        var days = ShareLink.defaultDays
        var onceOnly = false
        var allowsDownload = true
        var asksBirthDate = false
        /// Also hand it out as a SMART Health Link (for apps and wallets).
        var healthLink = false
        /// Mark the SMART Health Link long-term (flag `L`).
        var longTerm = false

        /// The choices a form sent, checked, every wrong field named.
        init(form: FormData) throws {
            var errors: [FieldError] = []
            label = form.value("label").trimmingCharacters(in: .whitespacesAndNewlines)
            note = form.value("note").trimmingCharacters(in: .whitespacesAndNewlines)
            let daysText = form.value("days").trimmingCharacters(in: .whitespaces)
            if label.isEmpty { errors.append(FieldError(field: "label", message: "Enter who this share is for, for example “For Dr Okafor, cardiology”.")) }
            if label.count > 100 { errors.append(FieldError(field: "label", message: "Keep the label to 100 characters or fewer.")) }
            if note.count > 1000 { errors.append(FieldError(field: "note", message: "Keep the note to 1,000 characters or fewer.")) }
            if let days = Int(daysText), (1...ShareLink.maximumDays).contains(days) {
                self.days = days
            } else if !daysText.isEmpty {
                errors.append(FieldError(field: "days", message: "Enter how many days the share lasts: 1 to \(ShareLink.maximumDays)."))
            }
            onceOnly = form.value("onceOnly") == "yes"
            allowsDownload = form.value("download") == "yes"
            asksBirthDate = form.value("askBirthDate") == "yes"
            healthLink = form.value("healthLink") == "yes"
            longTerm = healthLink && form.value("longTerm") == "yes"
            if healthLink && asksBirthDate {
                errors.append(FieldError(field: "options", message: "A SMART Health Link can only ask for the access code. Untick “Also ask for my date of birth” or the SMART Health Link."))
            }
            if !errors.isEmpty { throw ValidationFailure(errors) }
        }

        init() {}
    }

    /// The clinic's confidential codes (what is left out unless the patient ticks it).
    func sensitiveCodes() async throws -> Set<String> {
        let defaults = env.configuration.proxyRules
        return try await env.database.read { try await SettingsRepository($0).proxyRules(over: defaults) }.confidentialCodes
    }

    /// Exactly what `selection` would share from `record`, as the recipient would see it.
    func preview(_ selection: ShareSelection, in record: PatientRecord) async throws -> ShareSelection.Resolved {
        let codes = try await sensitiveCodes()
        return try await record.read { try await selection.resolve(in: $0, sensitiveCodes: codes) }
    }

    /// A new share, with the secrets to hand out (shown once, never stored).
    struct Created: Sendable {
        let share: ShareLink
        /// The link's token (in ``Paths/shareLink(_:)``) and the access code.
        let token: String
        let code: String
        /// The `shlink:/` URI, when it was also made a SMART Health Link.
        let healthLink: String?
    }

    /// Shares the previewed `items` of `record` (each checked again against what this reader may see;
    /// sensitive ones were left out or ticked in the preview) with `choices`.
    func create(items: [String], choices: Choices, record: PatientRecord, by account: Account, info: RequestInfo) async throws -> Created {
        var selection = ShareSelection()
        selection.items = Array(items.filter(ShareSelection.isReference).prefix(ShareLink.maximumItems))
        selection.includeSensitive = true
        let chosen = selection
        let resolved = try await record.read { try await chosen.resolve(in: $0, sensitiveCodes: []) }
        guard !resolved.listed.isEmpty else {
            throw ValidationFailure([FieldError(field: "section", message: "Nothing you chose can be shared. Go back and choose again.")])
        }
        let now = Date()
        let share = ShareLink(patient: record.patient.id, label: choices.label, note: choices.note.isEmpty ? nil : choices.note,
                              items: resolved.references, createdAt: now, expiresAt: ShareLink.end(days: choices.days, from: now),
                              onceOnly: choices.onceOnly, allowsDownload: choices.allowsDownload, asksBirthDate: choices.asksBirthDate)
        let token = SecretToken.generate()
        let code = HumanCode.generate(groups: 2, groupLength: 4).display
        var healthLink: SMARTHealthLinkMaker.Made?
        if choices.healthLink {
            healthLink = try await SMARTHealthLinkMaker(env: env).make(share, record: record, resolved: resolved, longTerm: choices.longTerm)
        }
        let (tokenHash, codeHash) = (ShareSecrets.tokenHash(token.value, env: env), env.codeHash(code))
        let manifestHash = healthLink.map { ShareSecrets.manifestHash($0.manifestID, env: env) }
        let files = healthLink?.files ?? []
        try await record.write { writer in
            try await writer.insert(share: share, createdBy: account.id, tokenHash: tokenHash, codeHash: codeHash, manifestHash: manifestHash,
                                    longTerm: choices.longTerm, files: files)
            try await writer.audit([AuditEvent(.shareCreated, info: info, actor: account, patient: writer.patient, resourceType: "ShareLink",
                                               resourceID: share.id.description, basis: record.basis.description, entities: share.items)])
        }
        return Created(share: share, token: token.value, code: code, healthLink: healthLink?.uri)
    }

    /// Ends one of `record`'s shares now: its next request is refused.
    func revoke(_ rawID: String, record: PatientRecord, by account: Account, info: RequestInfo) async throws {
        guard let id = GrantID(rawID) else { throw ShareError.unknown }
        let revoked: Bool = try await record.write { writer in
            guard try await writer.revoke(share: id, by: account.id, at: Date()) else { return false }
            try await writer.audit([AuditEvent(.shareRevoked, info: info, actor: account, patient: writer.patient, resourceType: "ShareLink",
                                               resourceID: id.description, basis: record.basis.description)])
            return true
        }
        guard revoked else { throw ShareError.unknown }
    }
}

/// A share that is not this record's, or was already ended.
enum ShareError: Error {
    case unknown
}

/// The stored forms of a share's secrets.
enum ShareSecrets {
    static func tokenHash(_ token: String, env: AppEnvironment) -> String { TokenHasher(masterKey: env.masterKey, purpose: "share-link").hash(token) }
    static func manifestHash(_ id: String, env: AppEnvironment) -> String { TokenHasher(masterKey: env.masterKey, purpose: "shl-manifest").hash(id) }
    static func sessionHash(_ id: String, env: AppEnvironment) -> String { TokenHasher(masterKey: env.masterKey, purpose: "share-session").hash(id) }
}
