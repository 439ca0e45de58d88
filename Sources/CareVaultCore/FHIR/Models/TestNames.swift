import Foundation

/// Names of tests and measurements in the words a patient uses.
///
/// Labs send LOINC's names, written for laboratories: "Leukocytes [#/volume] in Blood by Automated
/// count", or even its short form "Glucose Bld-mCnc". For the tests people most often get (blood
/// counts, metabolic and cholesterol panels, HbA1c, kidney, liver and thyroid tests, vital signs) the
/// pages show a plain name instead ("White blood cell count (WBC)"), keeping the usual abbreviation
/// so it matches what the clinician says. Any other LOINC name loses its bracketed property
/// ("[Mass/volume]"), which means nothing to a patient. The record's own name is never changed: the
/// item page shows it beside the plain one, and the CSV and FHIR downloads carry it as it came.
public enum TestNames {
    public static let loinc = "http://loinc.org"

    /// The name to show for a test or measurement coded by `concept` (a CodeableConcept) that the
    /// record calls `recordName`; `recordName` itself when no LOINC coding says otherwise.
    public static func plain(_ concept: JSONValue?, recordName: String) -> String {
        let codings = concept?["coding"]?.arrayValue ?? []
        if let known = codings.lazy.compactMap({ coding -> String? in
            guard coding["system"]?.stringValue == loinc, let code = coding["code"]?.stringValue else { return nil }
            return plainNames[code]
        }).first {
            return known
        }
        let isLOINC = codings.contains { $0["system"]?.stringValue == loinc }
        return isLOINC ? withoutProperty(recordName) : recordName
    }

    /// LOINC codes whose plain name contains `text` (case-insensitive), so that a search for the
    /// words a page shows finds the results it shows them for.
    public static func codes(matching text: String) -> [String] {
        let words = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard words.count >= 2 else { return [] }
        return plainNames.filter { $0.value.lowercased().contains(words) }.map(\.key).sorted()
    }

    /// A LOINC name without its bracketed property: "Hemoglobin [Mass/volume] in Blood" → "Hemoglobin in Blood".
    static func withoutProperty(_ name: String) -> String {
        guard name.contains("[") else { return name }
        var result = ""
        var depth = 0
        for character in name {
            switch character {
            case "[": depth += 1
            case "]" where depth > 0: depth -= 1
            default: if depth == 0 { result.append(character) }
            }
        }
        let tidy = result.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
            .replacingOccurrences(of: " - - ", with: " - ")
        return tidy.isEmpty ? name : tidy
    }

    /// Plain names by LOINC code. US spelling, as the labs that send these names use.
    static let plainNames: [String: String] = {
        var names: [String: String] = [:]
        func name(_ text: String, _ codes: String...) { for code in codes { names[code] = text } }
        // Blood count (CBC)
        name("White blood cell count (WBC)", "6690-2", "26464-8", "804-5")
        name("Red blood cell count (RBC)", "789-8", "26453-1")
        name("Hemoglobin", "718-7")
        name("Hematocrit (share of blood that is red cells)", "4544-3", "20570-8")
        name("Average red cell size (MCV)", "787-2")
        name("Hemoglobin per red cell (MCH)", "785-6")
        name("Hemoglobin concentration in red cells (MCHC)", "786-4")
        name("Variation in red cell size (RDW)", "21000-5", "788-0")
        name("Platelet count", "777-3", "26515-7")
        name("Average platelet size (MPV)", "32623-1")
        name("Variation in platelet size (PDW)", "32207-3")
        // Blood sugar
        name("Blood sugar (glucose)", "2339-0", "2345-7", "41653-7")
        name("Fasting blood sugar (glucose)", "1558-6")
        name("Average blood sugar over 3 months (HbA1c)", "4548-4", "17856-6")
        // Kidneys and salts
        name("Urea nitrogen (BUN, a kidney test)", "6299-2", "3094-0")
        name("Creatinine (a kidney test)", "38483-4", "2160-0")
        name("Kidney filtering rate (eGFR)", "33914-3", "48642-3", "48643-1", "62238-1", "98979-8", "69405-9")
        name("Sodium", "2951-2", "2947-0")
        name("Potassium", "2823-3", "6298-4")
        name("Chloride", "2075-0", "2069-3")
        name("Carbon dioxide (bicarbonate)", "2028-9", "20565-8")
        name("Calcium", "17861-6", "49765-1")
        name("Albumin in urine compared with creatinine (kidney damage test)", "14959-1", "9318-7")
        // Liver and protein
        name("Total protein", "2885-2")
        name("Albumin", "1751-7")
        name("Bilirubin", "1975-2")
        name("Alkaline phosphatase (ALP, a liver and bone test)", "6768-6")
        name("ALT (a liver test)", "1742-6")
        name("AST (a liver test)", "1920-8")
        // Cholesterol
        name("Total cholesterol", "2093-3")
        name("Triglycerides (a blood fat)", "2571-8")
        name("HDL (\u{201C}good\u{201D}) cholesterol", "2085-9")
        name("LDL (\u{201C}bad\u{201D}) cholesterol", "18262-6", "13457-7", "2089-1")
        // Thyroid
        name("Thyroid test (TSH)", "3016-3")
        // Panels (reports)
        name("Complete blood count (CBC)", "58410-2", "57021-8")
        name("Basic metabolic panel (salts, kidneys, blood sugar)", "51990-0")
        name("Comprehensive metabolic panel (salts, kidneys, liver, blood sugar)", "24323-8")
        name("Cholesterol panel", "57698-3", "24331-1")
        name("Urine test (urinalysis)", "24357-6", "24356-8")
        // Vital signs and other measurements
        name("Blood pressure", "55284-4", "85354-9")
        name("Systolic blood pressure (upper number)", "8480-6")
        name("Diastolic blood pressure (lower number)", "8462-4")
        name("Heart rate", "8867-4")
        name("Breathing rate", "9279-1")
        name("Body temperature", "8310-5")
        name("Oxygen level in the blood (SpO2)", "59408-5", "2708-6", "2710-2")
        name("Weight", "29463-7")
        name("Height", "8302-2")
        name("Body mass index (BMI)", "39156-5")
        name("BMI compared with children of the same age and sex (percentile)", "59576-9")
        name("Weight for length compared with babies of the same age and sex (percentile)", "77606-2")
        name("Head size compared with children of the same age (percentile)", "8289-1")
        name("Pain score (0 to 10)", "72514-3")
        name("Smoking status", "72166-2")
        return names
    }()
}
