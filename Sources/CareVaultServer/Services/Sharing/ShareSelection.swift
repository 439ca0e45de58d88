import CareVaultCore
import CareVaultStore
import Foundation

/// What a patient chose to share — whole sections, visits with everything linked to them, single
/// items, within an optional date range — and the exact items that makes, as the preview shows them
/// and the recipient will see them. Sensitive kinds of care (the clinic's confidential categories)
/// are left out unless the patient ticked them.
struct ShareSelection: Sendable, Equatable {
    var sections: [RecordSection] = []
    /// Encounter ids.
    var visits: [String] = []
    /// Single items, `Type/id`.
    var items: [String] = []
    var from = ""
    var to = ""
    var includeSensitive = false

    /// The selection a form sent (`section`, `visit`, `item`, `from`, `to`, `sensitive`), checked.
    init(form: FormData) throws {
        var errors: [FieldError] = []
        sections = form.values("section").compactMap(RecordSection.init(rawValue:))
        visits = Array(form.values("visit").filter(Self.isID).prefix(50))
        items = Array(form.values("item").filter(Self.isReference).prefix(ShareLink.maximumItems))
        from = String(form.value("from").prefix(11))
        to = String(form.value("to").prefix(11))
        includeSensitive = form.value("sensitive") == "yes"
        if !from.isEmpty && FHIRInstant.range(from) == nil { errors.append(FieldError(field: "from", message: "Enter the first date as year-month-day, for example 2024-01-31.")) }
        if !to.isEmpty && FHIRInstant.range(to) == nil { errors.append(FieldError(field: "to", message: "Enter the last date as year-month-day, for example 2024-12-31.")) }
        if errors.isEmpty, let a = FHIRInstant.range(from), let b = FHIRInstant.range(to), a.lowerBound > b.upperBound {
            errors.append(FieldError(field: "to", message: "The last date must be on or after the first date."))
        }
        if sections.isEmpty && visits.isEmpty && items.isEmpty {
            errors.append(FieldError(field: "section", message: "Choose at least one thing to share: a kind of record, a visit or an item."))
        }
        if !errors.isEmpty { throw ValidationFailure(errors) }
    }

    init() {}

    static func isID(_ text: String) -> Bool {
        !text.isEmpty && text.count <= 64 && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".") }
    }

    static func isReference(_ text: String) -> Bool {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        return parts.count == 2 && parts[0].count <= 64 && parts[0].allSatisfy { $0.isASCII && $0.isLetter } && isID(parts[1])
    }

    /// What the selection comes to in `reader`'s view of the record.
    struct Resolved: Sendable {
        /// What the recipient will see listed, in the order chosen (visits first, then sections, then items).
        var listed: [StoredResource] = []
        /// Files those items point to (Binary resources), shared with them but not listed.
        var files: [String] = []
        /// How many items were left out as sensitive kinds of care.
        var leftOutSensitive = 0
        /// Whether the selection came to more than a share may hold.
        var tooMany = false

        /// Everything shared: listed items and their files.
        var references: [String] { listed.map { "\($0.resourceType)/\($0.id)" } + files }
    }

    /// The items this selection names that `reader` may see, without the sensitive ones unless asked
    /// (`sensitiveCodes`: the clinic's confidential codes, `system|code`).
    func resolve(in reader: PatientRecordReader, sensitiveCodes: Set<String>) async throws -> Resolved {
        var found: [StoredResource] = []
        for visit in visits {
            guard let encounter = try await reader.item(type: "Encounter", id: visit) else { continue }
            found.append(encounter)
            found += try await reader.linked(to: "Encounter/\(visit)", limit: ShareLink.maximumItems)
        }
        let range = (FHIRInstant.range(from)?.lowerBound, FHIRInstant.range(to)?.upperBound)
        for section in sections {
            found += try await reader.search(reader.query(section: section, from: range.0, to: range.1, limit: ShareLink.maximumItems + 1))
        }
        for item in items {
            let parts = item.split(separator: "/", maxSplits: 1).map(String.init)
            if let resource = try await reader.item(type: parts[0], id: parts[1]), resource.section != nil || parts[0] == "Encounter" {
                found.append(resource)
            }
        }
        var resolved = Resolved()
        var seen: Set<String> = []
        var files: [String] = []
        for resource in found where seen.insert("\(resource.resourceType)/\(resource.id)").inserted {
            guard resource.section != nil || resource.resourceType == "Encounter" else { continue }
            guard let json = try? JSONParser.parse(resource.json) else { continue }
            if !includeSensitive, !sensitiveCodes.isEmpty, let fields = try? FHIRIndexFields.read(json),
               fields.codeKeys.contains(where: sensitiveCodes.contains) {
                resolved.leftOutSensitive += 1
                continue
            }
            resolved.listed.append(resource)
            for attachment in RecordAttachment.all(in: json) {
                if let binary = attachment.binaryReference, binary.hasPrefix("Binary/"), !files.contains(binary) { files.append(binary) }
            }
        }
        if resolved.listed.count + files.count > ShareLink.maximumItems {
            resolved.tooMany = true
            resolved.listed = Array(resolved.listed.prefix(ShareLink.maximumItems / 2))
            files = []
            for resource in resolved.listed {
                guard let json = try? JSONParser.parse(resource.json) else { continue }
                for attachment in RecordAttachment.all(in: json) {
                    if let binary = attachment.binaryReference, binary.hasPrefix("Binary/"), !files.contains(binary) { files.append(binary) }
                }
            }
        }
        resolved.files = files
        return resolved
    }
}
