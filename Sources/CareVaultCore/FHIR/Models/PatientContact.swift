import Foundation

/// How a FHIR Patient can be reached, as the record says.
public enum PatientContact {
    /// The email addresses in `telecom` (system `email`), lowercased, in order, without repeats.
    public static func emails(in patient: JSONValue) -> [String] {
        var found: [String] = []
        for contact in patient["telecom"]?.arrayValue ?? [] where contact["system"]?.stringValue == "email" {
            guard let value = contact["value"]?.stringValue?.trimmingCharacters(in: .whitespaces).lowercased(), value.contains("@"),
                  !found.contains(value) else { continue }
            found.append(value)
        }
        return found
    }
}
