import CareVaultCore
import SQLKit

extension RecordVisibility {
    /// The conditions (each starting with ` AND`) that keep a query of `fhir_resources` (as `alias`)
    /// to what this reader may see. The same rules as ``RecordVisibility/allows(type:id:category:availableAt:)``.
    /// (`release: false` leaves out the release bound: for counting what is not released yet.)
    func sqlConditions(alias: String, release: Bool = true) -> SQLQueryString {
        var text: SQLQueryString = ""
        if release, let time = releasedBy {
            text.appendInterpolation(unsafeRaw: " AND \(alias).available_at <= ")
            text.appendInterpolation(bind: time)
        }
        if !hiddenCategories.isEmpty {
            text.appendInterpolation(unsafeRaw: " AND (\(alias).category IS NULL OR \(alias).category NOT IN (")
            text.appendInterpolation(SQLList(hiddenCategories.sorted().map { SQLBind($0) }))
            text.appendInterpolation(unsafeRaw: "))")
        }
        if !hiddenCodes.isEmpty {
            // The code index's primary key leads with (resource_type, id): one probe per row.
            text.appendInterpolation(unsafeRaw: " AND NOT EXISTS (SELECT 1 FROM fhir_resource_codes hc WHERE hc.resource_type = \(alias).resource_type")
            text.appendInterpolation(unsafeRaw: " AND hc.id = \(alias).id AND hc.system || '|' || hc.code IN (")
            text.appendInterpolation(SQLList(hiddenCodes.sorted().map { SQLBind($0) }))
            text.appendInterpolation(unsafeRaw: "))")
        }
        if let resourceTypes {
            // An empty set allows nothing: `IN ('')` matches no row.
            text.appendInterpolation(unsafeRaw: " AND \(alias).resource_type IN (")
            text.appendInterpolation(SQLList((resourceTypes.isEmpty ? [""] : resourceTypes.sorted()).map { SQLBind($0) }))
            text.appendInterpolation(unsafeRaw: ")")
        }
        if let items {
            text.appendInterpolation(unsafeRaw: " AND (\(alias).resource_type || '/' || \(alias).id) IN (")
            text.appendInterpolation(SQLList((items.isEmpty ? [""] : items.sorted()).map { SQLBind($0) }))
            text.appendInterpolation(unsafeRaw: ")")
        }
        return text
    }

    /// The same rules checked on a row read back (a second guard on every query's answer).
    /// With hidden codes, the row's own JSON is read for them (only for such readers); one that cannot be
    /// read is not shown.
    func allows(_ resource: StoredResource) -> Bool {
        guard allows(type: resource.resourceType, id: resource.id, category: resource.category, availableAt: resource.availableAt) else { return false }
        guard !hiddenCodes.isEmpty else { return true }
        guard let json = try? JSONParser.parse(resource.json), let fields = try? FHIRIndexFields.read(json) else { return false }
        return !hides(codes: fields.codeKeys)
    }
}
