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
            guard basis.seesUnreleased || resource.isReleased(at: Clock.milliseconds(Date())) else { throw HTTPError(.notFound) }
        }
        return Response(status: .ok, headers: [.contentType: "application/fhir+json",
                                               .contentDisposition: "inline; filename=\"\(type)-\(id.prefix(36)).json\""],
                        body: .init(byteBuffer: ByteBuffer(string: resource.json)))
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
