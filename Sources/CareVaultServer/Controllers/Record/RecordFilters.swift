import CareVaultCore
import CareVaultStore
import Foundation
import Hummingbird

/// The filters a record list was asked for (`from`, `to`, `q`, `visit`, `page`), checked; the same on every list.
struct RecordFilters: Sendable {
    var from: String
    var to: String
    var text: String
    /// An Encounter id: only what was recorded in that visit.
    var visit: String
    var page: Int
    var failure: ValidationFailure?

    init(_ request: Request) {
        let q = FormQuery(request)
        from = q["from"] ?? ""
        to = q["to"] ?? ""
        text = String((q["q"] ?? "").trimmingCharacters(in: .whitespaces).prefix(100))
        visit = q["visit"] ?? ""
        page = Paging.page(of: request)
        var errors: [FieldError] = []
        if !from.isEmpty && FHIRInstant.range(from) == nil || from.count > 10 {
            errors.append(FieldError(field: "from", message: "Enter the first date as year-month-day, for example 2024-01-31."))
        }
        if !to.isEmpty && FHIRInstant.range(to) == nil || to.count > 10 {
            errors.append(FieldError(field: "to", message: "Enter the last date as year-month-day, for example 2024-12-31."))
        }
        if errors.isEmpty, let a = FHIRInstant.range(from), let b = FHIRInstant.range(to), a.lowerBound > b.upperBound {
            errors.append(FieldError(field: "to", message: "The last date must be on or after the first date."))
        }
        if visit.count > 64 || visit.contains(where: { !($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".") }) {
            errors.append(FieldError(field: "visit", message: "Choose a visit from the list."))
        }
        failure = errors.isEmpty ? nil : ValidationFailure(errors)
    }

    /// The date range asked for, in milliseconds (nil when absent or invalid).
    var range: (from: Int64?, to: Int64?) {
        guard failure == nil else { return (nil, nil) }
        return (FHIRInstant.range(from)?.lowerBound, FHIRInstant.range(to)?.upperBound)
    }

    /// The query for these filters, of what `record`'s reader may see.
    func query(_ record: PatientRecordReader, type: String? = nil, section: RecordSection? = nil, category: String? = nil,
               limit: Int, offset: Int) -> RecordQuery {
        let valid = failure == nil
        return record.query(resourceType: type, section: section, category: category, from: range.from, to: range.to,
                            encounterReference: valid && !visit.isEmpty ? "Encounter/\(visit)" : nil,
                            text: text.isEmpty ? nil : text, limit: limit, offset: offset)
    }

    /// This list's URL with the same filters (and another page).
    func link(_ base: String, page: Int? = nil, also extra: [(String, String)] = []) -> String {
        var items = ([("from", from), ("to", to), ("q", text), ("visit", visit)] + extra).filter { !$0.1.isEmpty }
        if let page, page > 0 { items.append(("page", String(page))) }
        let query = items.map { "\($0.0)=\(Paths.queryValue($0.1))" }.joined(separator: "&")
        return query.isEmpty ? base : base + "?" + query
    }
}
