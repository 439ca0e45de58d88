import CareVaultCore
import CareVaultStore
import Foundation

/// `Patient/$everything`: a patient's record as one searchset Bundle, with the shared resources it
/// refers to (practitioners, organizations…) included. Resource JSON goes out exactly as stored.
enum EverythingBundle {
    /// The patient's resources this basis may see, and the shared ones they refer to.
    static func load(_ store: FHIRResourceRepository, patientScope: String, basis: Basis, at now: Int64)
        async throws -> (own: [StoredResource], shared: [StoredResource]) {
        let own = try await store.all(patientScope: patientScope).filter { basis.seesUnreleased || $0.isReleased(at: now) }
        var shared: [StoredResource] = []
        var seen = Set<String>()
        for resource in own {
            for reference in sharedReferences(in: resource.json) where seen.insert(reference).inserted {
                let parts = reference.split(separator: "/", maxSplits: 1).map(String.init)
                if let found = try await store.find(type: parts[0], id: parts[1]), found.patientScope.isEmpty { shared.append(found) }
            }
        }
        return (own, shared)
    }

    /// The Bundle's JSON text; `base` is the FHIR base URL for each entry's fullUrl.
    static func text(own: [StoredResource], shared: [StoredResource], base: String) -> String {
        var text = #"{"resourceType":"Bundle","type":"searchset","total":\#(own.count),"entry":["#
        for (i, (resource, mode)) in (own.map { ($0, "match") } + shared.map { ($0, "include") }).enumerated() {
            if i > 0 { text += "," }
            text += #"{"fullUrl":"# + JSONValue.string("\(base)/\(resource.resourceType)/\(resource.id)").jsonText
            text += #","resource":"# + resource.json + #","search":{"mode":"\#(mode)"}}"#
        }
        return text + "]}"
    }

    /// References to shared resource types (`Practitioner/…`, `Organization/…`) in stored JSON.
    static func sharedReferences(in json: String) -> [String] {
        guard let value = try? JSONParser.parse(json) else { return [] }
        var found: [String] = []
        _ = value.mapStrings(underKey: "reference") { reference in
            if let type = reference.split(separator: "/").first, BundleImportPlan.sharedTypes.contains(String(type)),
               reference.split(separator: "/").count == 2 {
                found.append(reference)
            }
            return reference
        }
        return found
    }
}
