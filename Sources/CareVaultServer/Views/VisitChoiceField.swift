import CareVaultCore
import CareVaultStore

/// The "Visit" filter of the record's lists.
enum VisitChoiceField {
    /// Visits offered: the newest, and the one chosen if it is older. (Each is read and parsed on every
    /// list page; a hundred made a Synthea record's lists half again as costly. Older visits are a click
    /// away on the visits page, with everything linked to them.)
    static let limit = 30

    /// Any visit, or one of `encounters` by date and kind.
    static func make(_ encounters: [StoredResource], selected: String, error: String?) -> SelectField {
        let visits = encounters.compactMap { r in (try? JSONParser.parse(r.json)).flatMap { Visit(id: r.id, json: $0) } }
        return SelectField(name: "visit", label: "Visit", options: [SelectField.Option(value: "", text: "Any visit", selected: selected.isEmpty)]
            + visits.map { v in
                SelectField.Option(value: v.id, text: [v.start.map(PlainDate.day), v.kind].compactMap { $0 }.joined(separator: " – "),
                                   selected: v.id == selected)
            }, error: error)
    }
}
