import CareVaultCore
import Foundation

/// Turns NDJSON files (one FHIR resource per line, as Bulk Data exports write them — usually one file
/// per resource type) into one collection Bundle per patient, holding that patient's resources and
/// the shared resources they refer to. Each bundle then imports all-or-nothing.
enum NDJSONGrouping {
    struct LineError: Error, CustomStringConvertible {
        let file: String
        let line: Int
        let message: String
        var description: String { "\(file) line \(line): \(message)" }
    }

    /// Bundles keyed by the patient's original id, in a stable order.
    static func bundles(from files: [(name: String, data: Data)]) throws -> [(patientID: String, bundle: JSONValue)] {
        var patients: [String: JSONValue] = [:]
        var byPatient: [String: [JSONValue]] = [:]
        var shared: [String: JSONValue] = [:]
        for file in files {
            var lineNumber = 0
            for line in file.data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
                lineNumber += 1
                if line.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }) { continue }
                let resource: JSONValue
                do { resource = try JSONParser.parse(line) } catch {
                    throw LineError(file: file.name, line: lineNumber, message: error.description)
                }
                guard let type = resource["resourceType"]?.stringValue, let id = resource["id"]?.stringValue else {
                    throw LineError(file: file.name, line: lineNumber, message: "a resource needs resourceType and id")
                }
                if type == "Patient" {
                    patients[id] = resource
                } else if BundleImportPlan.sharedTypes.contains(type) {
                    shared["\(type)/\(id)"] = resource
                } else if let reference = (resource["subject"] ?? resource["patient"] ?? resource["beneficiary"])?["reference"]?.stringValue,
                          reference.hasPrefix("Patient/") {
                    byPatient[String(reference.dropFirst("Patient/".count)), default: []].append(resource)
                } else {
                    throw LineError(file: file.name, line: lineNumber, message: "\(type)/\(id) names no patient (subject or patient)")
                }
            }
        }
        if let orphan = byPatient.keys.sorted().first(where: { patients[$0] == nil }) {
            throw LineError(file: files.map(\.name).joined(separator: ", "), line: 0, message: "resources refer to Patient/\(orphan), which is not in the files")
        }
        return patients.keys.sorted().map { id in
            let own = [patients[id]!] + (byPatient[id] ?? [])
            var references = Set<String>()
            for resource in own {
                _ = resource.mapStrings(underKey: "reference") { references.insert($0); return $0 }
            }
            let included = references.sorted().compactMap { shared[$0] }
            let entries = (own + included).map { resource -> JSONValue in
                let url = "\(resource["resourceType"]!.stringValue!)/\(resource["id"]!.stringValue!)"
                return .object([("fullUrl", .string(url)), ("resource", resource)])
            }
            return (id, .object([("resourceType", .string("Bundle")), ("type", .string("collection")), ("entry", .array(entries))]))
        }
    }
}
