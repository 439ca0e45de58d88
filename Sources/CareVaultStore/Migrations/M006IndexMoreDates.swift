import CareVaultCore
import SQLKit

/// Dates for the records whose date the index did not read: billing records (`billablePeriod`,
/// `created`), imaging studies (`started`), and onsets and occurrences given as periods. Without
/// them such records sorted apart from their dates and fell out of every date filter. Rows stored
/// before are re-read from their JSON, a page of rows at a time.
struct M006IndexMoreDates: Migration {
    let number = 6
    let name = "index-more-dates"
    static let pageSize = 500

    func statements(for t: ColumnTypes) -> [String] { [] }

    func backfill(on sql: any SQLDatabase) async throws {
        var after = ("", "")
        while true {
            let rows = try await sql.raw("""
                SELECT resource_type, id, json FROM fhir_resources
                WHERE effective_start IS NULL AND (resource_type > \(bind: after.0) OR (resource_type = \(bind: after.0) AND id > \(bind: after.1)))
                ORDER BY resource_type, id LIMIT \(bind: Self.pageSize)
                """).all()
            guard !rows.isEmpty else { return }
            for row in rows {
                let type = try row.decode(column: "resource_type", as: String.self), id = try row.decode(column: "id", as: String.self)
                after = (type, id)
                // A row whose JSON or dates do not read stays as it was: the import checked it when it came in.
                guard let json = try? JSONParser.parse(try row.decode(column: "json", as: String.self)),
                      let effective = (try? FHIRIndexFields.read(json))?.effective else { continue }
                try await sql.raw("""
                    UPDATE fhir_resources SET effective_start = \(bind: effective.lowerBound), effective_end = \(bind: effective.upperBound)
                    WHERE resource_type = \(bind: type) AND id = \(bind: id)
                    """).run()
            }
        }
    }
}
