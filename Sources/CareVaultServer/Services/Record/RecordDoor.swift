import CareVaultCore
import CareVaultStore
import Foundation
import Hummingbird

/// The one way into a patient's record: load the patient, ask the policy, and hand back a
/// ``PatientRecord`` that carries who is reading, on what basis and what they may see. A denial is
/// audited at once and looks like an unknown id from outside (404), so nobody learns which records
/// exist; an opening is audited once, when the request ends, with everything it showed.
struct RecordDoor: Sendable {
    let env: AppEnvironment

    /// Opens `rawID`'s record for `action` by the signed-in reader of `context`; `target` names what the
    /// request is about (a list, an item, an export) in its audit event, which says `auditAs` (by default
    /// a download for ``Action/downloadRecord``, a read otherwise).
    func open(_ rawID: String, for action: Action, context: some RecordReaderContext, target: ResourceRef? = nil,
              auditAs: AuditAction? = nil) async throws -> PatientRecord {
        guard let id = PatientID(rawID),
              let patient = try await env.database.read({ try await PatientRepository($0).find(id: id) })
        else { throw HTTPError(.notFound) }
        let target = target ?? ResourceRef(type: "Patient", id: patient.id.description)
        let (actor, proxyGrant) = try await reader(context, of: patient)
        let opened = Date()
        switch AuthorizationPolicy.decide(actor, action, patient: patient.scope, resource: target, at: opened) {
        case .permit(let basis):
            let now = Clock.milliseconds(opened)
            var visibility = AuthorizationPolicy.visibility(actor, basis: basis, patient: patient.scope, at: opened)
            if let restrict = env.configuration.visibilityRestriction { visibility = restrict(visibility) }
            if let proxyGrant, let account = context.readerAccount {
                try await ProxyNotices(env: env).noteUse(of: proxyGrant, patient: patient, by: account, at: opened)
            }
            try context.recordAudit.opened(RecordAccessAudit.Opening(
                patient: patient.id, reader: context.readerAccount, basis: basis,
                action: auditAs ?? (action == .downloadRecord ? .recordDownloaded : .recordRead), target: target, info: context.info))
            return PatientRecord(patient: patient, basis: basis, action: action, visibility: visibility, actor: actor, now: now, env: env,
                                 audit: context.recordAudit)
        case .deny(let reason):
            try await env.audit.record(AuditEvent(
                .recordAccessDenied, info: context.info, actor: context.readerAccount, outcome: .denied, patient: patient.id,
                resourceType: target.type, resourceID: target.id, basis: reason.rawValue))
            throw HTTPError(.notFound)
        }
    }
}

extension RecordDoor {
    /// Who is reading `patient`'s record: the signed-in actor, or — for someone opening a record not their
    /// own — the proxy grant they accepted for it, as a delegate (with the stored grant, to note its use).
    /// Without a grant they stay who they are, and the policy refuses them.
    private func reader(_ context: some RecordReaderContext, of patient: Patient) async throws -> (Actor, StoredProxyGrant?) {
        let actor = context.actor
        guard actor.ownRecord != patient.id else { return (actor, nil) }
        switch actor {
        case .patient(let account, _), .person(let account):
            let defaults = env.configuration.proxyRules
            let found = try await env.database.read { sql -> (StoredProxyGrant, ProxyRules)? in
                guard let stored = try await ProxyGrantRepository(sql).deciding(account: account, patient: patient.id) else { return nil }
                return (stored, try await SettingsRepository(sql).proxyRules(over: defaults))
            }
            guard let (stored, rules) = found else { return (actor, nil) }
            let grant = AccessGrant(proxy: stored.grant, rules: rules, timeZone: env.configuration.timeZone)
            return (.delegate(account: account, grant: grant), stored)
        default:
            return (actor, nil)
        }
    }

    /// An operator at the command line (no account, the administration basis) reading what the patient
    /// may see of `patient`'s record in `body`, audited as one event when it ends.
    func asOperator<T: Sendable>(_ patient: Patient, for action: Action, info: RequestInfo, target: ResourceRef,
                                 _ body: (PatientRecord) async throws -> T) async throws -> T {
        let audit = RecordAccessAudit()
        let now = Clock.milliseconds(Date())
        try audit.opened(RecordAccessAudit.Opening(patient: patient.id, reader: nil, basis: .administration,
                                                   action: action == .downloadRecord ? .recordDownloaded : .recordRead,
                                                   target: target, info: info))
        let record = PatientRecord(patient: patient, basis: .administration, action: action, visibility: RecordVisibility.of(.administration, at: now),
                                   actor: nil, now: now, env: env, audit: audit)
        do {
            let result = try await body(record)
            if let event = audit.takeEvent(outcome: .success, isWriteRequest: false) { try await env.audit.record(event) }
            return result
        } catch {
            if let event = audit.takeEvent(outcome: .failure, isWriteRequest: false) { try? await env.audit.record(event) }
            throw error
        }
    }
}

/// Who opens a record through the door: the actor the policy judges, their account if they have one
/// (a share link's reader has none), where the request came from, and the request's audit event.
protocol RecordReaderContext: Sendable {
    var readerAccount: Account? { get }
    var actor: Actor { get }
    var info: RequestInfo { get }
    var recordAudit: RecordAccessAudit { get }
}

/// A request context whose signed-in reader can open a record.
protocol RecordRequestContext: RequestContext, RecordReaderContext {
    var account: Account { get }
}

extension RecordRequestContext {
    var readerAccount: Account? { account }
}

extension SignedInRequestContext: RecordRequestContext {}
extension StaffRequestContext: RecordRequestContext {}

extension AppEnvironment {
    /// The door to patients' records.
    var records: RecordDoor { RecordDoor(env: self) }
}
