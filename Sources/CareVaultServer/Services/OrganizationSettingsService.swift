import CareVaultCore
import CareVaultStore
import Foundation

/// Settings of the organization that holds the records, changed by an administrator and audited.
public struct OrganizationSettingsService: Sendable {
    let env: AppEnvironment

    public init(env: AppEnvironment) { self.env = env }

    /// The system the clinic's patient IDs are in, if one is named.
    public func patientIDSystem() async throws -> String? {
        try await env.database.read { sql in
            let patients = PatientRepository(sql)
            return try await patients.patientIDSystem(organization: try await patients.defaultOrganization())
        }
    }

    /// Names the system the clinic's patient IDs are in (nil: the identifier typed MR is the patient ID).
    public func setPatientIDSystem(_ system: String?, by actor: Account?, info: RequestInfo) async throws {
        try await env.database.write { sql in
            let patients = PatientRepository(sql)
            let organization = try await patients.defaultOrganization()
            try await patients.setPatientIDSystem(system, organization: organization)
            try await env.audit.record(AuditEvent(.patientIDSystemChanged, info: info, actor: actor,
                                                  resourceType: "Organization", resourceID: organization.description), on: sql)
        }
    }
}
