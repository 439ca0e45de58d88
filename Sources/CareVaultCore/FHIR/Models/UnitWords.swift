/// Units as people write them. Records often carry the UCUM code itself as the unit's text
/// (`mm[Hg]`, `kg/m2`, `10*3/uL`), which is precise but not how a patient reads a result. Only the
/// display changes: the record, the FHIR download and the CSV keep the unit as recorded.
public enum UnitWords {
    /// `unit` in everyday notation ("mm[Hg]" → "mmHg"); any unit not listed is returned as it is.
    public static func readable(_ unit: String) -> String {
        words[unit] ?? unit
    }

    private static let words: [String: String] = [
        "mm[Hg]": "mmHg",
        "kg/m2": "kg/m²",
        "[lb_av]": "lb",
        "[in_i]": "in",
        "[ft_i]": "ft",
        "[oz_av]": "oz",
        "[degF]": "°F",
        "Cel": "°C",
        "/min": "per minute",
        "{beats}/min": "beats per minute",
        "{breaths}/min": "breaths per minute",
        "10*3/uL": "× 10³/µL",
        "10*6/uL": "× 10⁶/µL",
        "10*9/L": "× 10⁹/L",
        "10*12/L": "× 10¹²/L",
        "ug/L": "µg/L",
        "ug/dL": "µg/dL",
        "ug/mL": "µg/mL",
        "uL": "µL",
        "umol/L": "µmol/L",
        "u[IU]/mL": "µIU/mL",
        "[IU]/L": "IU/L",
        "m[IU]/L": "mIU/L",
        "mL/min/{1.73_m2}": "mL/min/1.73 m²",
        "{score}": "points",
        "{packs}/d": "packs a day",
        "[pack_y]": "pack-years",
    ]
}
