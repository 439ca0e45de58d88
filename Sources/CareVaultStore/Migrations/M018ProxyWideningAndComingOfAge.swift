/// A parent's access widened for one adolescent with the adolescent's recorded agreement (until a
/// yearly review), and the mark that the patient and parents were told when the patient came of age.
struct M018ProxyWideningAndComingOfAge: Migration {
    let number = 18
    let name = "proxy-widening-and-coming-of-age"

    func statements(for t: ColumnTypes) -> [String] {
        [
            "ALTER TABLE proxy_grants ADD COLUMN widened_until \(t.bigint)",
            "ALTER TABLE proxy_grants ADD COLUMN widened_by TEXT",
            "ALTER TABLE proxy_grants ADD COLUMN widening_agreement TEXT",
            "ALTER TABLE proxy_grants ADD COLUMN came_of_age_notified_at \(t.bigint)",
        ]
    }
}
