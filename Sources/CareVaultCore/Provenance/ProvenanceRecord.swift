import Foundation

/// Who did what to which resources, as a FHIR Provenance. It is the one way CareVault writes a
/// Provenance — for an import, an upload, what a patient or their proxy adds, and a clinician's
/// verification — so every Provenance has the same shape and says who acted in the same words.
public struct ProvenanceRecord: Sendable, Equatable {
    /// What was done.
    public enum Activity: Sendable, Equatable {
        /// Brought in by an import (a bundle, NDJSON, C-CDA).
        case imported
        /// A file the patient uploaded.
        case uploaded
        /// Entries the patient or a proxy added, described in plain words ("Added by the patient").
        case contributed(String)
        /// A clinician confirmed what the patient provided.
        case verified
    }

    /// Who did it.
    public enum Agent: Sendable, Equatable {
        /// CareVault's importer, assembling data from `source` (a file or system name).
        case importer(source: String)
        /// The patient themself, by reference to their Patient resource.
        case patient(PatientID)
        /// Someone acting for the patient, by name (their account is not a FHIR resource).
        case proxy(displayName: String)
        /// The clinician who verified, by name.
        case verifier(displayName: String)
    }

    public var id: String
    /// `Type/id` of each resource this Provenance is about.
    public var targets: [String]
    public var recorded: Date
    public var activity: Activity
    public var agent: Agent

    public init(id: String = UUID().uuidString.lowercased(), targets: [String], recorded: Date, activity: Activity, agent: Agent) {
        self.id = id
        self.targets = targets
        self.recorded = recorded
        self.activity = activity
        self.agent = agent
    }

    static let participantTypes = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"
    static let dataOperations = "http://terminology.hl7.org/CodeSystem/v3-DataOperation"

    /// The FHIR R4 Provenance, as version 1 recorded at `recorded`.
    public var json: JSONValue {
        let stamp = recorded.formatted(.iso8601)
        var members: [(key: String, value: JSONValue)] = [
            ("resourceType", .string("Provenance")), ("id", .string(id)),
            ("meta", .object([("versionId", .string("1")), ("lastUpdated", .string(stamp))])),
            ("target", .array(targets.map { .object([("reference", .string($0))]) })),
            ("recorded", .string(stamp)),
            ("activity", activityJSON),
            ("agent", .array([.object([("type", agentType), ("who", who)])])),
        ]
        if case .importer(let source) = agent {
            members.append(("entity", .array([.object([("role", .string("source")), ("what", .object([("display", .string(source))]))])])))
        }
        return .object(members)
    }

    private var activityJSON: JSONValue {
        switch activity {
        case .imported: .object([("text", .string("Imported into CareVault"))])
        case .uploaded: .object([("text", .string("Uploaded by the patient"))])
        case .contributed(let text): .object([("text", .string(text))])
        case .verified:
            .object([("coding", .array([.object([("system", .string(Self.dataOperations)), ("code", .string("UPDATE"))])])),
                     ("text", .string("Verified by a clinician"))])
        }
    }

    private var agentType: JSONValue {
        func type(_ code: String, _ text: String?) -> JSONValue {
            var members: [(key: String, value: JSONValue)] = [
                ("coding", .array([.object([("system", .string(Self.participantTypes)), ("code", .string(code))])])),
            ]
            if let text { members.append(("text", .string(text))) }
            return .object(members)
        }
        switch agent {
        case .importer: return type("assembler", nil)
        case .patient: return type("author", "Patient-provided")
        case .proxy: return type("author", "Provided by the patient's proxy")
        case .verifier: return type("verifier", nil)
        }
    }

    private var who: JSONValue {
        switch agent {
        case .importer: .object([("display", .string("CareVault import"))])
        case .patient(let patient): .object([("reference", .string("Patient/\(patient)"))])
        case .proxy(let name), .verifier(let name): .object([("display", .string(name))])
        }
    }
}
