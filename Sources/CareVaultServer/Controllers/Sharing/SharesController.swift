import CareVaultCore
import CareVaultStore
import Foundation
import Hummingbird

/// The patient's shares (or a proxy's who may download): the list, the form that chooses what and how,
/// the preview of exactly what the recipient will see, the share made (its link and code shown once),
/// and ending a share.
struct SharesController: Sendable {
    let env: AppEnvironment

    func addRoutes(to router: Router<AppRequestContext>) {
        let group = router.group(context: SignedInRequestContext.self)
        group.get("/patients/:patient/shares", use: list)
        group.get("/patients/:patient/shares/new", use: form)
        group.post("/patients/:patient/shares/preview", use: preview)
        group.post("/patients/:patient/shares", use: create)
        group.post("/patients/:patient/shares/:share/revoke", use: revoke)
    }

    private func open(_ context: SignedInRequestContext, target: String) async throws -> PatientRecord {
        try await env.records.open(try context.parameters.require("patient"), for: .shareRecord, context: context,
                                   target: ResourceRef(type: "ShareLink", id: target))
    }

    @Sendable func list(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        let record = try await open(context, target: "list")
        var shares = try await record.read { try await $0.shareLinks() }
        // A reader who sees less than the patient (a parent of an adolescent) sees only the shares they made.
        if AccessHistory.isRestricted(record.visibility) { shares = shares.filter { $0.createdBy == context.account.id } }
        let zone = env.configuration.timeZone, now = Date()
        // A share someone else made (a proxy) stands only while its maker may still share.
        var lapsed: Set<GrantID> = []
        for stored in shares where stored.createdBy != context.account.id && stored.share.ended(at: now) == nil {
            if try await ShareOpeningService(env: env).readingEnded(stored, at: now) == .sharerLostAccess { lapsed.insert(stored.share.id) }
        }
        return env.renderer.response(SharesPage(
            layout: context.layout("Shares", request: request),
            heading: record.isOwn ? "Records you shared" : "Records shared from \(record.patient.fullName)'s record",
            newLink: Paths.newShare(record.scope),
            rows: shares.map { stored in
                let share = stored.share
                return SharesPage.Row(
                    label: share.label, what: ShareWords.what(share.items), created: PlainDate.day(share.createdAt, in: zone),
                    ends: PlainDate.day(share.expiresAt, in: zone),
                    status: lapsed.contains(share.id) ? ShareWords.status(ended: .sharerLostAccess) : ShareWords.status(share, at: now),
                    opened: share.lastOpenedAt.map { "Opened \(share.openedCount == 1 ? "once" : "\(share.openedCount) times"), last on \(PlainDate.instant($0, in: zone))" }
                        ?? "Not opened yet",
                    options: ShareWords.options(stored),
                    revokeAction: share.revokedAt == nil && share.ended(at: now) != .expired ? Paths.revokeShare(record.scope, share.id.description) : nil)
            },
            hasRows: !shares.isEmpty, backLink: Paths.patientHome(record.scope)))
    }

    @Sendable func form(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        let record = try await open(context, target: "new")
        let item = FormQuery(request)["item"].flatMap { ShareSelection.isReference($0) ? $0 : nil }
        var selection = ShareSelection()
        if let item { selection.items = [item] }
        return try await formPage(request, context: context, record: record, selection: selection, choices: .init(), failure: nil)
    }

    private func formPage(_ request: Request, context: SignedInRequestContext, record: PatientRecord, selection: ShareSelection,
                          choices: ShareService.Choices, failure: ValidationFailure?, status: HTTPResponse.Status = .ok) async throws -> Response {
        let (visits, chosen) = try await record.read { reader -> ([StoredResource], [StoredResource]) in
            let visits = try await reader.search(reader.query(resourceType: "Encounter", limit: 20))
            var chosen: [StoredResource] = []
            for item in selection.items.prefix(50) {
                let parts = item.split(separator: "/", maxSplits: 1).map(String.init)
                if let found = try await reader.item(type: parts[0], id: parts[1]) { chosen.append(found) }
            }
            return (visits, chosen)
        }
        var what = [ChoiceGroup(name: "section", legend: "Whole kinds of records", hint: "Everything of that kind, within the dates below if you give them.",
                                error: failure?.error("section"),
                                choices: RecordSection.allCases.map { ($0.rawValue, $0.title, nil, selection.sections.contains($0)) })]
        let visitChoices = visits.compactMap { r in (try? JSONParser.parse(r.json)).flatMap { Visit(id: r.id, json: $0) } }
        if !visitChoices.isEmpty {
            what.append(ChoiceGroup(name: "visit", legend: "Visits, with everything recorded at them", hint: "Your 20 most recent visits.",
                                    choices: visitChoices.map { v in
                                        (v.id, [v.start.map(PlainDate.day), v.kind].compactMap { $0 }.joined(separator: " – "), v.reason, selection.visits.contains(v.id))
                                    }))
        }
        if !chosen.isEmpty {
            what.append(ChoiceGroup(name: "item", legend: "Single items", choices: chosen.compactMap { r in
                guard let json = try? JSONParser.parse(r.json) else { return nil }
                let entry = RecordEntry(resourceType: r.resourceType, id: r.id, json: json)
                return ("\(r.resourceType)/\(r.id)", entry.name, entry.date.map(PlainDate.day), true)
            }))
        }
        what.append(ChoiceGroup(name: "sensitive", legend: "Sensitive kinds of care",
                                hint: "Records about sexual and reproductive health, mental health, substance use and similar care are left out unless you tick this.",
                                choices: [("yes", "Include sensitive kinds of care", nil, selection.includeSensitive)]))
        let options = ChoiceGroup(name: "options", legend: "How the share works", choices: [
            ("download", "Allow downloads (PDF, FHIR and original files)", nil, choices.allowsDownload),
            ("onceOnly", "It can be opened once only", "after the code is entered once, the link stops working", choices.onceOnly),
            ("askBirthDate", "Also ask for my date of birth", "the person must know it as well as the code", choices.asksBirthDate),
            ("healthLink", "Also make a SMART Health Link", "for health apps and wallets that read them", choices.healthLink),
            ("longTerm", "Mark the SMART Health Link long-term", "apps may check it for changes until it ends", choices.longTerm),
        ])
        return env.renderer.response(ShareFormPage(
            layout: context.layout("Share records", request: request), heading: "Share records with someone outside the clinic",
            errorSummary: ErrorSummary(failure), action: Paths.sharePreview(record.scope), what: what,
            from: FormField(name: "from", label: "From", type: "date", value: selection.from, error: failure?.error("from"), required: false),
            to: FormField(name: "to", label: "To", type: "date", value: selection.to, error: failure?.error("to"), required: false),
            fields: [
                FormField(name: "label", label: "Who is it for?", value: choices.label, hint: "For example: For Dr Okafor, cardiology", error: failure?.error("label")),
                FormField(name: "days", label: "How many days should it last?", value: String(choices.days),
                          hint: "1 to \(ShareLink.maximumDays) days", error: failure?.error("days"), inputmode: "numeric"),
            ],
            options: options, backLink: Paths.shares(record.scope)), status: status)
    }

    /// The choices a form sent; the options group's checkboxes arrive as one repeated field.
    private static func choices(_ form: FormData) throws -> ShareService.Choices {
        let options = Set(form.values("options"))
        var pairs = ["label=\(Paths.queryValue(form.value("label")))", "note=\(Paths.queryValue(form.value("note")))",
                     "days=\(Paths.queryValue(form.value("days")))"]
        for (option, field) in [("download", "download"), ("onceOnly", "onceOnly"), ("askBirthDate", "askBirthDate"), ("healthLink", "healthLink"),
                                ("longTerm", "longTerm")] where options.contains(option) || form.value(field) == "yes" {
            pairs.append("\(field)=yes")
        }
        return try ShareService.Choices(form: FormData(pairs.joined(separator: "&")))
    }

    @Sendable func preview(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        var request = request
        let form = try await request.form()
        let record = try await open(context, target: "new")
        var errors: [FieldError] = []
        let selection: ShareSelection
        do { selection = try ShareSelection(form: form) } catch let failure as ValidationFailure { errors += failure.errors; selection = Self.partial(form) }
        var choices = ShareService.Choices()
        do { choices = try Self.choices(form) } catch let failure as ValidationFailure { errors += failure.errors; choices = Self.partialChoices(form) }
        guard errors.isEmpty else {
            return try await formPage(request, context: context, record: record, selection: selection, choices: choices,
                                      failure: ValidationFailure(errors), status: .badRequest)
        }
        return try await previewPage(request, context: context, record: record, selection: selection, choices: choices, failure: nil)
    }

    /// Exactly what `selection` shares, with the choices carried on, the images' questions, and `failure`'s errors.
    private func previewPage(_ request: Request, context: SignedInRequestContext, record: PatientRecord, selection: ShareSelection,
                             choices: ShareService.Choices, answers: ShareService.ImageAnswers = .init(), failure: ValidationFailure?) async throws -> Response {
        let service = ShareService(env: env)
        let resolved = try await service.preview(selection, in: record)
        guard !resolved.listed.isEmpty else {
            return try await formPage(request, context: context, record: record, selection: selection, choices: choices, failure: ValidationFailure([
                FieldError(field: "section", message: resolved.leftOutSensitive > 0
                    ? "Everything you chose is about sensitive kinds of care. Tick “Include sensitive kinds of care” to share it."
                    : "Nothing in your record matches what you chose. Choose other kinds of records or other dates."),
            ]), status: .badRequest)
        }
        let images = try await service.images(resolved, in: record)
        let content = SharedContent(resolved.listed)
        let zone = env.configuration.timeZone
        var hidden = resolved.listed.map { HiddenField(name: "item", value: "\($0.resourceType)/\($0.id)") }
        hidden += [HiddenField(name: "label", value: choices.label), HiddenField(name: "note", value: choices.note),
                   HiddenField(name: "days", value: String(choices.days))]
        for (flag, name) in [(choices.allowsDownload, "download"), (choices.onceOnly, "onceOnly"), (choices.asksBirthDate, "askBirthDate"),
                             (choices.healthLink, "healthLink"), (choices.longTerm, "longTerm")] where flag {
            hidden.append(HiddenField(name: name, value: "yes"))
        }
        var questions: [ChoiceGroup] = []
        if !images.isEmpty {
            questions.append(ChoiceGroup(
                name: "imageConsent", legend: "Images leave the clinic only with your agreement",
                hint: record.isOwn
                    ? "Photos go without their location and camera details; scans without names, numbers and other identifying details. Your agreement is recorded, and you can withdraw it at any time."
                    : "Only the patient can agree to images leaving the clinic. If they have not, start again and leave the images out.",
                error: failure?.error("imageConsent"),
                choices: [("yes", record.isOwn ? "I agree that these images leave the clinic with this share" : "The patient agreed that these images may be sent outside the clinic",
                           nil, answers.consent)]))
        }
        if images.contains(where: \.needsBurnedInCheck) {
            questions.append(ChoiceGroup(
                name: "burnedIn", legend: "Check the scans for writing",
                hint: "Some scans have a name or other details written into the picture itself, which cannot be removed automatically. Open each scan marked below and look.",
                error: failure?.error("burnedIn"),
                choices: [("yes", "I looked: these scans show no name or other identifying text", nil, answers.burnedInChecked)]))
        }
        if images.contains(where: \.isScan) {
            questions.append(ChoiceGroup(
                name: "keepDates", legend: "Dates on the scans",
                hint: "Unless you tick this, the dates on the scans are moved by the same number of days, so the order and gaps stay right but the real dates do not leave.",
                choices: [("yes", "Keep the real dates on the scans", nil, answers.keepDates)]))
        }
        return env.renderer.response(SharePreviewPage(
            layout: context.layout("Check what you share", request: request), heading: "Check what “\(choices.label)” will see",
            errorSummary: ErrorSummary(failure),
            groups: content.groups.map { group in
                SharePreviewPage.Group(title: group.title, items: group.items.map {
                    SharePreviewPage.Item(name: $0.entry.name, date: $0.entry.date.map(PlainDate.day) ?? "", kind: $0.kind)
                })
            },
            facts: [
                .init(label: "For", value: choices.label),
                .init(label: "Until", value: PlainDate.day(ShareLink.end(days: choices.days, from: Date()), in: zone)),
                .init(label: "Items", value: ShareWords.what(resolved.references)),
                .init(label: "Options", value: ShareWords.options(choices)),
            ] + (choices.note.isEmpty ? [] : [.init(label: "Note", value: choices.note)]),
            leftOut: resolved.leftOutSensitive == 0 ? nil
                : "\(resolved.leftOutSensitive == 1 ? "1 item is" : "\(resolved.leftOutSensitive) items are") about sensitive kinds of care and left out. Start again and tick “Include sensitive kinds of care” to share them.",
            tooMany: resolved.tooMany ? "That was more than one share can hold; only the first \(resolved.listed.count) items are shared. Choose fewer, or make a second share." : nil,
            images: images.map { SharePreviewPage.Image(title: $0.title, kind: $0.isScan ? "Scan" + ($0.summary.map { " (\($0))" } ?? "") : "Photo",
                                                        mayShowText: $0.needsBurnedInCheck) },
            hasImages: !images.isEmpty, questions: questions,
            action: Paths.shares(record.scope), hidden: hidden, changeLink: Paths.newShare(record.scope)),
            status: failure == nil ? .ok : .badRequest)
    }

    private static func partial(_ form: FormData) -> ShareSelection {
        var selection = ShareSelection()
        selection.sections = form.values("section").compactMap(RecordSection.init(rawValue:))
        selection.visits = Array(form.values("visit").filter(ShareSelection.isID).prefix(50))
        selection.items = Array(form.values("item").filter(ShareSelection.isReference).prefix(50))
        selection.from = String(form.value("from").prefix(11))
        selection.to = String(form.value("to").prefix(11))
        selection.includeSensitive = form.value("sensitive") == "yes"
        return selection
    }

    private static func partialChoices(_ form: FormData) -> ShareService.Choices {
        var choices = ShareService.Choices()
        let options = Set(form.values("options"))
        choices.label = String(form.value("label").prefix(200))
        choices.note = String(form.value("note").prefix(2000))
        choices.days = Int(form.value("days")).map { min(max($0, 1), ShareLink.maximumDays) } ?? ShareLink.defaultDays
        choices.allowsDownload = options.contains("download")
        choices.onceOnly = options.contains("onceOnly")
        choices.asksBirthDate = options.contains("askBirthDate")
        choices.healthLink = options.contains("healthLink")
        choices.longTerm = options.contains("longTerm")
        return choices
    }

    @Sendable func create(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        var request = request
        let form = try await request.form()
        let record = try await open(context, target: "new")
        let choices: ShareService.Choices
        do { choices = try Self.choices(form) } catch let failure as ValidationFailure {
            return try await formPage(request, context: context, record: record, selection: Self.partial(form), choices: Self.partialChoices(form),
                                      failure: failure, status: .badRequest)
        }
        let created: ShareService.Created
        let answers = ShareService.ImageAnswers(form: form)
        do {
            created = try await ShareService(env: env).create(items: form.values("item"), choices: choices, images: answers, record: record,
                                                              by: context.account, info: context.info)
        } catch let failure as ValidationFailure {
            if failure.errors.contains(where: { ["imageConsent", "burnedIn"].contains($0.field) }) {
                var selection = ShareSelection()
                selection.items = Array(form.values("item").filter(ShareSelection.isReference).prefix(ShareLink.maximumItems))
                selection.includeSensitive = true
                return try await previewPage(request, context: context, record: record, selection: selection, choices: choices, answers: answers,
                                             failure: failure)
            }
            return try await formPage(request, context: context, record: record, selection: Self.partial(form), choices: choices, failure: failure,
                                      status: .badRequest)
        }
        let link = env.link(Paths.shareLink(created.token))
        let qr = try QRCode.encode(link)
        let healthQR = try created.healthLink.map { try QRCode.encode($0) }
        var response = env.renderer.response(ShareCreatedPage(
            layout: context.layout("Your share is ready", request: request), label: created.share.label, link: link, code: created.code,
            ends: PlainDate.instant(created.share.expiresAt, in: env.configuration.timeZone),
            qrSVG: QRCodeSVG.render(qr, title: "QR code of the share link", id: "share-qr-title"), healthLink: created.healthLink,
            healthLinkQRSVG: healthQR.map { QRCodeSVG.render($0, title: "QR code of the SMART Health Link", id: "shl-qr-title") }, sharesLink: Paths.shares(record.scope)))
        response.headers[.cacheControl] = "no-store"
        return response
    }

    @Sendable func revoke(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        let record = try await open(context, target: try context.parameters.require("share"))
        do {
            try await ShareService(env: env).revoke(try context.parameters.require("share"), record: record, by: context.account, info: context.info)
        } catch ShareError.unknown {
            throw HTTPError(.notFound)
        }
        throw Redirect.to(Paths.shares(record.scope) + "?notice=share-revoked")
    }
}
