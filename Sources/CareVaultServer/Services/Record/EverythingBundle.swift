import CareVaultCore
import CareVaultStore
import Foundation

/// `Patient/$everything`: a patient's record as one searchset Bundle, with the shared resources it
/// refers to (practitioners, organizations…) included. Resource JSON goes out exactly as stored.
enum EverythingBundle {
    /// The patient's resources this reader may see, and the shared ones they refer to.
    static func load(_ record: PatientRecordReader) async throws -> (own: [StoredResource], shared: [StoredResource]) {
        var own = try await record.all()
        if record.visibility != .wholeRecord {
            // A Provenance names what its import brought, held items too: it may name only what this reader sees.
            let visible = Set(own.map { "\($0.resourceType)/\($0.id)" })
            own = own.compactMap { resource in
                guard resource.resourceType == "Provenance", let json = try? JSONParser.parse(resource.json) else { return resource }
                guard let kept = ProvenanceTargets.visible(json, isVisible: visible.contains) else { return nil }
                return kept == json ? resource : resource.with(json: kept.jsonText)
            }
        }
        var shared: [StoredResource] = []
        var seen = Set<String>()
        for resource in own {
            for reference in sharedReferences(in: resource.json) where seen.insert(reference).inserted {
                let parts = reference.split(separator: "/", maxSplits: 1).map(String.init)
                if let found = try await record.shared(type: parts[0], id: parts[1]) { shared.append(found) }
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
    ///
    /// Stored JSON is our own compact serialization, so a reference is always the exact text
    /// `"reference":"Type/id"` (a quote inside a string value is escaped and cannot start the
    /// pattern); a text scan finds them without parsing the resource. A false hit only costs a lookup
    /// that finds nothing shared.
    static func sharedReferences(in json: String) -> [String] {
        var json = json
        return json.withUTF8 { bytes in
            let pattern = Array(#""reference":""#.utf8)
            var found: [String] = []
            var i = 0
            let last = bytes.count - pattern.count
            while i <= last {
                guard bytes[i] == pattern[0], bytes[i + 1] == pattern[1], bytes[i + 12] == pattern[12],
                      pattern.indices.allSatisfy({ bytes[i + $0] == pattern[$0] }) else { i += 1; continue }
                let start = i + pattern.count
                var end = start
                while end < bytes.count, bytes[end] != UInt8(ascii: "\"") { end += 1 }
                let reference = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
                let parts = reference.split(separator: "/")
                if parts.count == 2, BundleImportPlan.sharedTypes.contains(String(parts[0])) { found.append(reference) }
                i = end
            }
            return found
        }
    }
}
