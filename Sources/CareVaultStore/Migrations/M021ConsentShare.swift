/// A consent given while sharing covers that one share: the share's id on the consent.
struct M021ConsentShare: Migration {
    let number = 21
    let name = "consent-share"

    func statements(for t: ColumnTypes) -> [String] {
        ["ALTER TABLE image_consents ADD COLUMN share_id TEXT"]
    }
}
