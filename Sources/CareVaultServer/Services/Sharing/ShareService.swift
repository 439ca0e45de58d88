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
            if healthLink && !allowsDownload {
                errors.append(FieldError(field: "options", message: "A SMART Health Link gives the app a copy of the records: tick “Allow downloads” to make one, or untick the SMART Health Link."))
            }
            if healthLink && asksBirthDate {
                errors.append(FieldError(field: "options", message: "A SMART Health Link can only ask for the access code. Untick “Also ask for my date of birth” or the SMART Health Link."))
            }
            if !errors.isEmpty { throw ValidationFailure(errors) }
        }

        init() {}
    }

    /// What the sender answered about the images in a share.
    struct ImageAnswers: Sendable, Equatable {
        /// The patient agrees that these images leave the clinic with this share (their consent, recorded).
        var consent = false
        /// The sender looked at the scans that may show burned-in text.
        var burnedInChecked = false
        /// Scans keep their real dates (otherwise shifted).
        var keepDates = false

        init(form: FormData) {
            consent = form.value("imageConsent") == "yes"
            burnedInChecked = form.value("burnedIn") == "yes"
            keepDates = form.value("keepDates") == "yes"
        }

        init() {}
    }

    /// The images among what a share would send, as `record`'s reader sees them.
    func images(_ resolved: ShareSelection.Resolved, in record: PatientRecord) async throws -> [SharedImages.Image] {
        let listed = resolved.listed
        return try await record.read { try await SharedImages.find(in: listed, reader: $0) }
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
    func create(items: [String], choices: Choices, images answers: ImageAnswers = .init(), record: PatientRecord, by account: Account,
                info: RequestInfo) async throws -> Created {
        var selection = ShareSelection()
        selection.items = Array(items.filter(ShareSelection.isReference).prefix(ShareLink.maximumItems))
        selection.includeSensitive = true
        let chosen = selection
        let resolved = try await record.read { try await chosen.resolve(in: $0, sensitiveCodes: []) }
        guard !resolved.listed.isEmpty else {
            throw ValidationFailure([FieldError(field: "section", message: "Nothing you chose can be shared. Go back and choose again.")])
        }
        let images = try await self.images(resolved, in: record)
        try Self.check(images, answers: answers, own: record.isOwn)
        let now = Date()
        let share = ShareLink(patient: record.patient.id, label: choices.label, note: choices.note.isEmpty ? nil : choices.note,
                              items: resolved.references, createdAt: now, expiresAt: ShareLink.end(days: choices.days, from: now),
                              onceOnly: choices.onceOnly, allowsDownload: choices.allowsDownload, asksBirthDate: choices.asksBirthDate,
                              keepsScanDates: answers.keepDates)
        let token = SecretToken.generate()
        let code = HumanCode.generate(groups: 2, groupLength: 4).display
        var healthLink: SMARTHealthLinkMaker.Made?
        if choices.healthLink {
            healthLink = try await SMARTHealthLinkMaker(env: env).make(share, record: record, resolved: resolved, longTerm: choices.longTerm)
        }
        let (tokenHash, codeHash) = (ShareSecrets.tokenHash(token.value, env: env), env.codeHash(code))
        let manifestHash = healthLink.map { ShareSecrets.manifestHash($0.manifestID, env: env) }
        let files = healthLink?.files ?? []
        let (isOwn, basis) = (record.isOwn, record.basis.description)
        let (mailer, zone, link) = (env.mailer, env.configuration.timeZone, env.link(Paths.shares(record.scope)))
        let today = BirthDate(now, in: env.configuration.timeZone).description
        try await record.write { writer in
            try await writer.insert(share: share, createdBy: account.id, tokenHash: tokenHash, codeHash: codeHash, manifestHash: manifestHash,
                                    longTerm: choices.longTerm, files: files)
            try await writer.audit([AuditEvent(.shareCreated, info: info, actor: account, patient: writer.patient, resourceType: "ShareLink",
                                               resourceID: share.id.description, basis: record.basis.description, entities: share.items)])
            try await Self.recordImageConsent(images.map(\.reference), share: share.id, own: isOwn, account: account, day: today, basis: basis, info: info,
                                              writer: writer)
            if !isOwn, let address = try await writer.patientAddress() {
                try await mailer.queue(to: address, subject: "\(account.displayName) shared some of your health records",
                                       body: "\(account.displayName), who has proxy access to your record, shared \(ShareWords.what(share.items).lowercased()) "
                                           + "as “\(share.label)” until \(PlainDate.day(share.expiresAt, in: zone)).\n\nSee every share, and end any of them, at \(link).",
                                       with: writer)
            }
        }
        return Created(share: share, token: token.value, code: code, healthLink: healthLink?.uri)
    }

    /// Refuses a share with images unless the sender answered for them: the patient agrees that they
    /// leave (a proxy needs the patient's recorded consent instead, checked as the share is stored), and
    /// scans that may show burned-in text were looked at.
    static func check(_ images: [SharedImages.Image], answers: ImageAnswers, own: Bool) throws {
        guard !images.isEmpty else { return }
        var errors: [FieldError] = []
        if own && !answers.consent {
            errors.append(FieldError(field: "imageConsent", message: "Tick the box to agree that these images leave the clinic with this share, or start again and leave them out."))
        }
        if images.contains(where: \.needsBurnedInCheck) && !answers.burnedInChecked {
            errors.append(FieldError(field: "burnedIn", message: "Look at the scans and tick the box to confirm they show no name or other identifying text."))
        }
        if !errors.isEmpty { throw ValidationFailure(errors) }
    }

    /// In the share's transaction: the patient's own confirmation is recorded as their consent (for
    /// consultation outside the clinic); a proxy's share needs a consent in force for every image.
    static func recordImageConsent(_ images: [String], share: GrantID, own: Bool, account: Account, day: String, basis: String, info: RequestInfo,
                                   writer: PatientRecordWriter) async throws {
        guard !images.isEmpty else { return }
        if own {
            // The patient agreed to these images leaving with this share: the consent covers this share only.
            let consent = ImageConsent(patient: writer.patient, images: images, purposes: [.consultation], signedName: account.displayName, signedOn: day,
                                       signedInClinic: false, source: .shareFlow, recordedBy: account.id, recordedAt: Date(), share: share)
            try await writer.insert(imageConsent: consent)
            try await writer.audit([AuditEvent(.imageConsentRecorded, info: info, actor: account, patient: writer.patient, resourceType: "Consent",
                                               resourceID: consent.id.description, basis: basis, entities: images)])
        } else if !ImageConsent.uncovered(images, by: try await writer.imageConsents(), for: .consultation, at: Date()).isEmpty {
            throw ValidationFailure([FieldError(field: "imageConsent", message: "Some images have no consent from the patient to be sent outside the clinic. "
                + "Only the patient can agree to that: start again and leave the images out, or ask the patient.")])
        }
    }

    /// Ends one of `record`'s shares now: its next request is refused.
    func revoke(_ rawID: String, record: PatientRecord, by account: Account, info: RequestInfo) async throws {
        guard let id = GrantID(rawID) else { throw ShareError.unknown }
        // A reader who sees less than the patient (a parent of an adolescent) ends only the shares they made.
        let onlyTheirs = AccessHistory.isRestricted(record.visibility) ? account.id : nil
        let revoked: Bool = try await record.write { writer in
            guard try await writer.revoke(share: id, by: account.id, at: Date(), onlyMadeBy: onlyTheirs) else { return false }
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
