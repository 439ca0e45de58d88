import CareVaultCore
import CareVaultStore
import Foundation
import Hummingbird

/// The clinicians' review queue: what patients of their organization added. Opening an item puts it
/// under review; the clinician then marks it reviewed, accepts it into the chart (verified, with who
/// and when), or returns it to the patient with a comment. Every step is policy-checked and audited.
struct ReviewController: Sendable {
    static let pageSize = 50
    let env: AppEnvironment

    func addRoutes(to router: Router<AppRequestContext>) {
        let group = router.group(context: StaffRequestContext.self)
        group.get(RouterPath(Paths.reviewQueue), use: queue)
        group.get("/staff/review/:item", use: open)
        group.post("/staff/review/:item", use: decide)
    }

    @Sendable func queue(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let permit = try context.permit(.reviewContributions)
        let page = Paging.page(of: request)
        let queue = try await ReviewService(env: env).queue(permit, page: page, pageSize: Self.pageSize, actor: context.account, info: context.info)
        let shown = queue.entries
        return env.renderer.response(ReviewQueuePage(
            layout: context.layout("Review queue", request: request),
            items: shown.map { entry in
                ReviewQueuePage.Item(patientName: entry.patientName, mrn: entry.mrn, kind: entry.item.kind.title,
                                     summary: queue.summaries[entry.item.id] ?? entry.item.resourceType, reason: entry.item.reason,
                                     status: entry.item.status.title, submitted: PlainDate.instant(entry.item.submittedAt, in: env.configuration.timeZone),
                                     link: Paths.reviewItem(entry.item.id))
            },
            isEmpty: shown.isEmpty,
            previousPageLink: page > 0 ? "\(Paths.reviewQueue)?page=\(page - 1)" : nil,
            nextPageLink: queue.hasMore ? "\(Paths.reviewQueue)?page=\(page + 1)" : nil))
    }

    /// Shows the item; a submitted one is now under review by this clinician.
    @Sendable func open(_ request: Request, context: StaffRequestContext) async throws -> Response {
        var (item, record, resource) = try await load(context)
        if item.status == .submitted,
           let moved = try await ReviewService(env: env).move(item, to: .underReview, comment: nil, in: record, by: context.account, info: context.info) {
            item = moved
        }
        record.shown([resource])
        return env.renderer.response(try await page(context, request: request, item: item, record: record, resource: resource, form: nil, failure: nil))
    }

    @Sendable func decide(_ request: Request, context: StaffRequestContext) async throws -> Response {
        var request = request
        let (item, record, resource) = try await load(context)
        let form = try await request.form()
        let decision = ReviewDecision(rawValue: form.value("decision"))
        let comment = form.value("comment").trimmingCharacters(in: .whitespacesAndNewlines)
        var errors: [FieldError] = []
        if decision == nil { errors.append(FieldError(field: "decision", message: "Choose a decision.")) }
        if decision == .returnToPatient && comment.isEmpty {
            errors.append(FieldError(field: "comment", message: "Tell the patient why it is returned and what to do."))
        }
        if comment.count > 1000 { errors.append(FieldError(field: "comment", message: "Use at most 1,000 characters.")) }
        if let decision, errors.isEmpty, !item.status.canMove(to: decision.status) {
            errors.append(FieldError(field: "decision", message: "This item is \(item.status.title.lowercased()); it cannot be changed to \(decision.status.title.lowercased())."))
        }
        guard errors.isEmpty, let decision else {
            return env.renderer.response(try await page(context, request: request, item: item, record: record, resource: resource, form: form,
                                                        failure: ValidationFailure(errors)), status: errors.contains { $0.message.hasPrefix("This item is") } ? .conflict : .badRequest)
        }
        let moved = try await ReviewService(env: env).move(item, to: decision.status, comment: comment.isEmpty ? nil : comment, in: record,
                                                           by: context.account, info: context.info, accepting: decision == .accept ? resource : nil)
        throw Redirect.to(Paths.reviewItem(item.id) + "?notice=" + (moved == nil ? "review-already-decided" : "review-decided"))
    }

    /// The item, if it belongs to a patient of the clinician's organization and the policy permits; else 404.
    private func load(_ context: StaffRequestContext) async throws -> (ReviewItem, PatientRecord, StoredResource) {
        let organization = try context.organization(permitting: .reviewContributions)
        let id = try context.parameters.require("item")
        guard let item = try await ReviewService(env: env).item(id, organization: organization) else { throw HTTPError(.notFound) }
        let record = try await env.records.open(item.patient.description, for: .writeRecord, context: context, target: ResourceRef(type: item.resourceType, id: item.resourceID))
        guard let resource = try await record.read({ try await $0.item(type: item.resourceType, id: item.resourceID) }) else {
            throw HTTPError(.notFound)
        }
        return (item, record, resource)
    }

    private func page(_ context: StaffRequestContext, request: Request, item: ReviewItem, record: PatientRecord, resource: StoredResource,
                      form: FormData?, failure: ValidationFailure?) async throws -> ReviewItemPage {
        let patient = record.patient
        let scope = patient.id.description
        var facts = [ReviewItemPage.Fact(label: "What", value: ReviewService.summary(resource)),
                     .init(label: "From", value: RecordOrigin(source: resource.source).text(toPatient: false)),
                     .init(label: "Sent", value: PlainDate.instant(item.submittedAt, in: env.configuration.timeZone))]
        if let json = try? JSONParser.parse(resource.json) {
            let entry = RecordEntry(resourceType: resource.resourceType, id: resource.id, json: json)
            if let date = entry.date { facts.append(.init(label: "Date", value: PlainDate.day(date))) }
            facts += entry.details.map { .init(label: $0.label, value: $0.value) }
        }
        if let name = item.reviewerName, let at = item.reviewedAt {
            facts.append(.init(label: "Decided by", value: "\(name), \(PlainDate.instant(at, in: env.configuration.timeZone))"))
        }
        if let comment = item.comment { facts.append(.init(label: "Comment to the patient", value: comment)) }
        var fileLink: String?
        var preview: UploadPreview?
        if item.kind == .upload, let upload = try await record.read({ try await $0.upload(documentID: item.resourceID) }),
           upload.deletedAt == nil {
            fileLink = Paths.uploadFile(scope, upload.id)
            preview = await UploadPreview.of(upload, env: env)
        }
        let chosen = form?.value("decision") ?? ""
        let choices: [(ReviewDecision, String, String)] = [
            (.accept, "Accept into the chart", "The record shows it as verified by you, with the date."),
            (.reviewed, "Mark as reviewed", "You have looked at it; it stays as the patient's own information."),
            (.returnToPatient, "Return to the patient", "Say why in the comment; the patient sees it."),
        ]
        let available = choices.filter { item.status.canMove(to: $0.0.status) }
        return ReviewItemPage(
            layout: context.layout("Review: \(item.kind.title)", request: request), patientName: patient.fullName, mrn: patient.mrn,
            kind: item.kind.title, status: item.status.title, facts: facts, reason: item.reason,
            recordLink: resource.section == nil ? nil : Paths.recordItem(scope, type: resource.resourceType, id: resource.id), fileLink: fileLink,
            preview: preview, errorSummary: ErrorSummary(failure), isDecidable: !available.isEmpty, action: Paths.reviewItem(item.id),
            decisions: available.enumerated().map { i, choice in
                .init(value: choice.0.rawValue, text: choice.1, hint: choice.2, id: i == 0 ? "field-decision" : "decision-\(choice.0.rawValue)",
                      checked: choice.0.rawValue == chosen)
            },
            comment: FormField(name: "comment", label: "Comment to the patient (needed when returning)", value: form?.value("comment") ?? "",
                               error: failure?.error("comment"), required: false),
            backLink: Paths.reviewQueue)
    }
}
