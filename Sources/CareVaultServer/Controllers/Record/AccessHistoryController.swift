import CareVaultCore
import CareVaultStore
import Foundation
import Hummingbird

/// "Who has seen my record": every access to a patient's data from the audit log, in plain words,
/// filtered by dates and by person, as a page or CSV. Reading it is one audit event naming nothing
/// shown (so the history does not fill with itself).
struct AccessHistoryController: Sendable {
    static let pageSize = 50
    static let csvLimit = 5_000
    let env: AppEnvironment

    func addRoutes(to router: Router<AppRequestContext>) {
        let group = router.group(context: SignedInRequestContext.self)
        group.get("/patients/:patient/access", use: page)
        group.get("/patients/:patient/access.csv", use: csv)
    }

    @Sendable func page(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        let record = try await open(context, auditAs: nil)
        let (filters, person, personError) = try Self.filters(request)
        let range = filters.range
        let history = try await AccessHistory().load(record, from: range.from, to: range.to, person: person, limit: Self.pageSize,
                                                     offset: filters.page * Self.pageSize)
        let people = Dictionary(history.people.map { ($0.account, $0) }, uniquingKeysWith: { first, _ in first })
        let viewer = context.account.id, scope = record.scope, namesKinds = Self.namesKinds(record)
        let entries = history.entries.map { entry in
            let event = entry.event
            let item = AccessHistoryWords.item(event).map { "\($0.type)/\($0.id)" }
            return AccessHistoryPage.Entry(
                time: PlainDate.instant(event.occurredAt, in: env.configuration.timeZone),
                who: AccessHistoryWords.who(event, viewer: viewer, people: people, shares: history.shares), what: AccessHistoryWords.what(event, namesKinds: namesKinds),
                link: item.flatMap { history.openable.contains($0) ? Paths.recordItem(scope, type: String($0.split(separator: "/")[0]),
                                                                                        id: String($0.split(separator: "/")[1])) : nil },
                authority: AccessHistoryWords.authority(event, people: people, grants: history.grants, shares: history.shares), isRefused: event.outcome == .denied)
        }
        let link = { (base: String, page: Int?) in filters.link(base, page: page, also: [("person", person?.description ?? "")]) }
        var errors = filters.failure?.errors ?? []
        if let personError { errors.append(personError) }
        return env.renderer.response(AccessHistoryPage(
            layout: context.layout("Who has seen this record", request: request),
            heading: record.isOwn ? "Who has seen my record" : "Who has seen \(record.patient.fullName)'s record",
            patientName: record.patient.fullName, errorSummary: ErrorSummary(errors.isEmpty ? nil : ValidationFailure(errors)),
            filterAction: Paths.accessHistory(scope),
            from: FormField(name: "from", label: "From", type: "date", value: filters.from, error: filters.failure?.error("from"), required: false),
            to: FormField(name: "to", label: "To", type: "date", value: filters.to, error: filters.failure?.error("to"), required: false),
            person: SelectField(name: "person", label: "Who", options: [.init(value: "", text: "Everyone", selected: person == nil)]
                + history.people.map { .init(value: $0.account.description, text: $0.account == viewer ? "You" : $0.displayName,
                                             selected: $0.account == person) }, error: personError?.message),
            entries: entries, isEmpty: entries.isEmpty, csvLink: link(Paths.accessHistoryCSV(scope), nil),
            previousPageLink: filters.page > 0 ? link(Paths.accessHistory(scope), filters.page - 1) : nil,
            nextPageLink: history.hasMore ? link(Paths.accessHistory(scope), filters.page + 1) : nil,
            backLink: Paths.patientHome(scope)), status: errors.isEmpty ? .ok : .badRequest)
    }

    /// The same history (same filters, up to 5,000 rows) as CSV: when (ISO 8601), who, what, allowed by, outcome.
    @Sendable func csv(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        let record = try await open(context, auditAs: .recordDownloaded)
        let (filters, person, personError) = try Self.filters(request)
        if let personError { throw HTTPError(.badRequest, message: personError.message) }
        if let failure = filters.failure { throw HTTPError(.badRequest, message: failure.errors.map(\.message).joined(separator: " ")) }
        let range = filters.range
        let history = try await AccessHistory().load(record, from: range.from, to: range.to, person: person, limit: Self.csvLimit, offset: 0)
        let people = Dictionary(history.people.map { ($0.account, $0) }, uniquingKeysWith: { first, _ in first })
        var text = "when,who,what,allowed_by,outcome\r\n"
        for entry in history.entries {
            let event = entry.event
            text += [event.occurredAt.formatted(.iso8601), AccessHistoryWords.who(event, viewer: context.account.id, people: people, shares: history.shares),
                     AccessHistoryWords.what(event, namesKinds: Self.namesKinds(record)), AccessHistoryWords.authority(event, people: people, grants: history.grants, shares: history.shares), event.outcome.rawValue]
                .map(CSVTable.field).joined(separator: ",") + "\r\n"
        }
        return Response(status: .ok, headers: [
            .contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"access-history.csv\"", .cacheControl: "no-store",
        ], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    private func open(_ context: SignedInRequestContext, auditAs: AuditAction?) async throws -> PatientRecord {
        try await env.records.open(try context.parameters.require("patient"), for: .readAccessLog, context: context,
                                   target: ResourceRef(type: "AuditEvent", id: "access-history"), auditAs: auditAs)
    }

    /// Whether this reader sees every kind and category, so the history may name the kinds of items.
    static func namesKinds(_ record: PatientRecord) -> Bool {
        record.visibility.hiddenCategories.isEmpty && record.visibility.hiddenCodes.isEmpty && record.visibility.resourceTypes == nil && record.visibility.items == nil
    }

    /// The dates and page (as every record list; this list has no words or visit to filter by), and the
    /// person chosen (an account id, or everyone).
    static func filters(_ request: Request) throws -> (RecordFilters, AccountID?, FieldError?) {
        var filters = RecordFilters(request)
        filters.text = ""
        filters.visit = ""
        let dateErrors = filters.failure?.errors.filter { ["from", "to"].contains($0.field) } ?? []
        filters.failure = dateErrors.isEmpty ? nil : ValidationFailure(dateErrors)
        let raw = FormQuery(request)["person"] ?? ""
        guard !raw.isEmpty else { return (filters, nil, nil) }
        guard let person = AccountID(raw) else { return (filters, nil, FieldError(field: "person", message: "Choose someone from the list.")) }
        return (filters, person, nil)
    }
}
