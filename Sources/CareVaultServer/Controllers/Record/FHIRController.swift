import CareVaultCore
import CareVaultStore
import Foundation
import Hummingbird

/// The FHIR R4 read API for signed-in people (the SMART on FHIR API builds on it later).
struct FHIRController: Sendable {
    let env: AppEnvironment

    func addRoutes(to router: Router<AppRequestContext>) {
        let group = router.group("fhir", context: SignedInRequestContext.self)
        group.get("Patient/:patient/$everything", use: everything)
        group.get(":type/:id", use: read)
    }

    /// `{type}/{id}`: one resource as stored. A resource of a patient's record needs the policy's permit
    /// (and, for the patient, to be released); one of another patient, or held, is as absent as an unknown id.
    @Sendable func read(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        let type = try context.parameters.require("type"), id = try context.parameters.require("id")
        guard type.allSatisfy({ $0.isLetter }), type.count <= 64, id.count <= 64,
              let resource = try await env.database.read({ try await FHIRResourceRepository($0).find(type: type, id: id) })
        else { throw HTTPError(.notFound) }
        var trimmedJSON: String?
        if resource.patientScope.isEmpty {
            // Shared resources (practitioners, organizations, places, medicines) hold no patient's data.
            switch context.actor {
            case .staffMember(_, _, _, let enrolled) where !enrolled: throw HTTPError(.notFound)
            case .admin: throw HTTPError(.notFound)
            default: break
            }
        } else {
            let (_, basis) = try await PatientAccess(env: env).open(
                resource.patientScope, for: .downloadRecord, actor: context.actor, account: context.account, info: context.info,
                resource: ResourceRef(type: type, id: id))
            let now = Clock.milliseconds(Date())
            guard basis.seesUnreleased || resource.isReleased(at: now) else { throw HTTPError(.notFound) }
            if type == "Provenance", !basis.seesUnreleased, let json = try? JSONParser.parse(resource.json) {
                // Its targets follow the release rules like everything else: held items are not named.
                let visible = try await visibleTargets(ProvenanceTargets.references(in: json), patientScope: resource.patientScope, at: now)
                guard let kept = ProvenanceTargets.visible(json, isVisible: visible.contains) else { throw HTTPError(.notFound) }
                trimmedJSON = kept.jsonText
            }
        }
        return Response(status: .ok, headers: [.contentType: "application/fhir+json",
                                               .contentDisposition: "inline; filename=\"\(type)-\(id.prefix(36)).json\""],
                        body: .init(byteBuffer: ByteBuffer(string: trimmedJSON ?? resource.json)))
    }

    /// Which of `references` (`Type/id`) are the patient's and released by `now`.
    private func visibleTargets(_ references: [String], patientScope: String, at now: Int64) async throws -> Set<String> {
        try await env.database.read { sql in
            var visible = Set<String>()
            for reference in references.prefix(1000) {
                let parts = reference.split(separator: "/", maxSplits: 1).map(String.init)
                guard parts.count == 2, let found = try await FHIRResourceRepository(sql).find(type: parts[0], id: parts[1]),
                      found.patientScope == patientScope, found.isReleased(at: now) else { continue }
                visible.insert(reference)
            }
            return visible
        }
    }

    /// `Patient/{id}/$everything`: the patient's whole record as a searchset Bundle, with the shared
    /// resources it refers to (practitioners, organizations…) included. Resource JSON goes out as stored.
    @Sendable func everything(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        let (patient, basis) = try await PatientAccess(env: env).open(
            try context.parameters.require("patient"), for: .downloadRecord, actor: context.actor, account: context.account,
            info: context.info, resource: ResourceRef(type: "Bundle", id: "$everything"))
        let scope = patient.id.description
        let (own, shared) = try await env.database.read {
            try await EverythingBundle.load(FHIRResourceRepository($0), patientScope: scope, basis: basis, at: Clock.milliseconds(Date()))
        }

        // Every resource that leaves is an audited read (group-committed, so this stays cheap).
        try await env.audit.recordReads((own + shared).map { ($0.resourceType, $0.id) }, patient: patient.id, actor: context.account,
                                        basis: basis, info: context.info)

        let text = EverythingBundle.text(own: own, shared: shared, base: env.link("/fhir"))
        return Response(status: .ok, headers: [.contentType: "application/fhir+json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
