/// A Provenance lists what one import or upload brought in, so it would name items the reader may
/// not see yet (results held for a clinician's release). For such readers its targets are cut to the
/// ones they can see; a Provenance left with none is not shown at all (FHIR requires a target).
public enum ProvenanceTargets {
    /// `Type/id` of each target.
    public static func references(in provenance: JSONValue) -> [String] {
        (provenance["target"]?.arrayValue ?? []).compactMap { $0["reference"]?.stringValue }
    }

    /// The Provenance with only the targets `isVisible` accepts (by `Type/id`); nil when none is left.
    /// Unchanged (the same value) when every target is visible.
    public static func visible(_ provenance: JSONValue, isVisible: (String) -> Bool) -> JSONValue? {
        let targets = provenance["target"]?.arrayValue ?? []
        let kept = targets.filter { target in target["reference"]?.stringValue.map(isVisible) ?? false }
        guard !kept.isEmpty else { return nil }
        guard kept.count < targets.count else { return provenance }
        var trimmed = provenance
        trimmed.set("target", .array(kept))
        return trimmed
    }
}
