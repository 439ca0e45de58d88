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

    /// (The API's answers are audited as reads, as they always were; the policy asks for the download
    /// permission, since the data leaves as a file.)
    ///
    /// `{type}/{id}`: one resource as stored. A resource of a patient's record goes through that record's
    /// door (the policy's permit, then what this reader may see); one of another patient, or hidden from
    /// this reader, is as absent as an unknown id.
    @Sendable func read(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        let type = try context.parameters.require("type"), id = try context.parameters.require("id")
        guard type.allSatisfy({ $0.isLetter }), type.count <= 64, id.count <= 64,
              let owner = try await SharedResources(env: env).owner(type: type, id: id)
        else { throw HTTPError(.notFound) }
        let json: String
        if owner.isEmpty {
            // Shared resources (practitioners, organizations, places, medicines) hold no patient's data.
            guard AuthorizationPolicy.mayReadSharedResources(context.actor),
                  let shared = try await SharedResources(env: env).find(type: type, id: id) else { throw HTTPError(.notFound) }
            json = shared.json
        } else {
            let record = try await env.records.open(owner, for: .downloadRecord, context: context, target: ResourceRef(type: type, id: id),
                                                    auditAs: .recordRead)
            let found = try await record.read { r -> String? in
                guard let resource = try await r.item(type: type, id: id) else { return nil }
                guard type == "Provenance", r.visibility != .wholeRecord, let parsed = try? JSONParser.parse(resource.json) else { return resource.json }
                // Its targets follow the reader's visibility like everything else: hidden items are not named.
                var visible = Set<String>()
                for reference in ProvenanceTargets.references(in: parsed).prefix(1000) {
                    let parts = reference.split(separator: "/", maxSplits: 1).map(String.init)
                    if parts.count == 2, try await r.item(type: parts[0], id: parts[1]) != nil { visible.insert(reference) }
                }
                return ProvenanceTargets.visible(parsed, isVisible: visible.contains)?.jsonText
            }
            guard let found else { throw HTTPError(.notFound) }
            record.shown([(type, id)])
            json = found
        }
        return Response(status: .ok, headers: [.contentType: "application/fhir+json",
                                               .contentDisposition: "inline; filename=\"\(type)-\(id.prefix(36)).json\""],
                        body: .init(byteBuffer: ByteBuffer(string: json)))
    }

    /// `Patient/{id}/$everything`: the patient's record as this reader may see it, as a searchset Bundle,
    /// with the shared resources it refers to (practitioners, organizations…) included. Resource JSON goes out as stored.
    @Sendable func everything(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        let record = try await env.records.open(try context.parameters.require("patient"), for: .downloadRecord, context: context,
                                                target: ResourceRef(type: "Bundle", id: "$everything"), auditAs: .recordRead)
        let (own, shared) = try await record.read { try await EverythingBundle.load($0) }
        record.shown(own + shared)
        let text = EverythingBundle.text(own: own, shared: shared, base: env.link("/fhir"))
        return Response(status: .ok, headers: [.contentType: "application/fhir+json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
