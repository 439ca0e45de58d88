import CareVaultCore
import CareVaultStore

/// The "Visit" filter of the record's lists.
enum VisitChoiceField {
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
