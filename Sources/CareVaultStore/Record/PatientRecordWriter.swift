import CareVaultCore
import Foundation
import SQLKit

/// Every write to one patient's record, in one write transaction: new resources and their next
/// versions, the patient's uploads, their review items and the audit events that describe the change.
/// It is made for one patient and refuses anything of another record, so a service holding it cannot
/// write past the record it was opened for.
public struct PatientRecordWriter: Sendable {
    public let patient: PatientID
    private let sql: any SQLDatabase
    private let kind: DatabaseKind
    private var resources: FHIRResourceRepository { FHIRResourceRepository(sql) }
    private var reviews: ReviewRepository { ReviewRepository(sql) }
    private var uploads: UploadRepository { UploadRepository(sql) }

    public init(_ sql: any SQLDatabase, kind: DatabaseKind, patient: PatientID) {
        self.sql = sql
        self.kind = kind
        self.patient = patient
    }

    // MARK: Resources

    /// The current version of one resource of this record, held or released, withdrawn or not (nil: no
    /// such resource in this record).
    public func current(type: String, id: String) async throws -> StoredResource? {
        guard type.count <= 64, id.count <= 64, let found = try await resources.findWhole(type: type, id: id),
              found.isIn(patient) else { return nil }
        return found
    }

    /// Stores resources new to this record, and shared ones it refers to (a practitioner, a medicine:
    /// in nobody's record).
    public func insert(_ batch: [FHIRResourceRepository.NewResource]) async throws {
        guard batch.allSatisfy({ mayWrite($0.resource) }) else { throw PatientRecordWriterError.otherRecord }
        try await resources.insert(batch)
    }

    /// The stored resources of this record (or shared ones) that an import recognizes by `keys`.
    public func find(matching keys: [FHIRResourceRepository.MatchKey]) async throws -> [FHIRResourceRepository.MatchKey: StoredResource] {
        guard keys.allSatisfy({ $0.patient == nil || $0.patient == patient }) else { throw PatientRecordWriterError.otherRecord }
        return try await resources.find(matching: keys)
    }

    /// Stores a resource of this record (or a shared one) new, or as the next version of `previous`, as
    /// an import does with versions it numbered itself.
    public func save(_ resource: StoredResource, index: FHIRIndexFields, previous: StoredResource?, availableAt: Int64? = nil) async throws {
        guard mayWrite(resource), previous.map({ $0.scope == resource.scope && $0.id == resource.id }) ?? true else {
            throw PatientRecordWriterError.otherRecord
        }
        try await resources.save(resource, index: index, previous: previous, availableAt: availableAt)
    }

    private func mayWrite(_ resource: StoredResource) -> Bool { resource.scope.isEmpty || resource.isIn(patient) }

    /// Stores `json` as the next version of `stored` (`meta.versionId` one up, `meta.lastUpdated` now,
    /// re-indexed), keeping the old version in the history.
    public func saveNextVersion(of stored: StoredResource, _ json: JSONValue, at now: Date) async throws {
        guard stored.isIn(patient) else { throw PatientRecordWriterError.otherRecord }
        try await resources.saveNextVersion(of: stored, json, at: now)
    }

    // MARK: Review items

    /// The review item of one resource of this record, if it went to the care team.
    public func review(resourceType: String, id: String) async throws -> ReviewItem? {
        try await reviews.find(resourceType: resourceType, resourceID: id, patient: patient)
    }

    /// New review items of this record.
    public func insert(reviews items: [ReviewItem]) async throws {
        guard items.allSatisfy({ $0.patient == patient }) else { throw PatientRecordWriterError.otherRecord }
        try await reviews.insert(items)
    }

    /// Moves a review item of this record to `status` if nobody moved it meanwhile; nil if they did.
    public func move(_ item: ReviewItem, to status: ReviewStatus, comment: String?, reviewer: (id: AccountID, name: String)?,
                     at time: Date) async throws -> ReviewItem? {
        guard item.patient == patient else { throw PatientRecordWriterError.otherRecord }
        return try await reviews.move(id: item.id, patient: patient, from: item.status, to: status, comment: comment, reviewer: reviewer, at: time)
    }

    // MARK: Uploads

    /// The live or deleted upload of these same bytes, if the patient sent them before.
    public func upload(contentHash: String) async throws -> PatientUpload? {
        try await uploads.find(contentHash: contentHash, patient: patient)
    }

    /// A new upload of this record.
    public func insert(upload: PatientUpload) async throws {
        guard upload.patient == patient else { throw PatientRecordWriterError.otherRecord }
        try await uploads.insert(upload)
    }

    /// Renames or re-files a live upload of this record; false if there is none.
    public func update(upload id: String, title: String, category: UploadCategory) async throws -> Bool {
        try await uploads.update(id: id, patient: patient, title: title, category: category)
    }

    /// Marks a live upload of this record deleted; false if there is none.
    public func markDeleted(upload id: String, at time: Date) async throws -> Bool {
        try await uploads.markDeleted(id: id, patient: patient, at: time)
    }

    // MARK: Proxy grants

    /// A new grant of this record, offered by an invitation (its token's hash, and the code's keyed hash).
    public func insert(proxyGrant stored: StoredProxyGrant, invitationHash: String?, codeHash: String?) async throws {
        guard stored.patient == patient else { throw PatientRecordWriterError.otherRecord }
        try await ProxyGrantRepository(sql).insert(stored, invitationHash: invitationHash, codeHash: codeHash)
    }

    /// One grant of this record.
    public func proxyGrant(id: GrantID) async throws -> StoredProxyGrant? {
        try await ProxyGrantRepository(sql).find(id: id, patient: patient)
    }

    /// Ends a grant of this record now; false if there is none in force or waiting.
    public func revoke(proxyGrant id: GrantID, by account: AccountID?, at now: Date) async throws -> Bool {
        try await ProxyGrantRepository(sql).revoke(id: id, patient: patient, by: account, at: now)
    }

    /// Changes a grant of this record's scopes and end; false if there is none in force or waiting.
    public func change(proxyGrant id: GrantID, scopes: Set<ProxyScope>, expiresAt: Date?) async throws -> Bool {
        try await ProxyGrantRepository(sql).change(id: id, patient: patient, scopes: scopes, expiresAt: expiresAt)
    }

    /// Widens a parent's grant of this record for the adolescent until `until`; false if there is none in force.
    public func widen(proxyGrant id: GrantID, until: Date, by account: AccountID, agreement: String) async throws -> Bool {
        try await ProxyGrantRepository(sql).widen(id: id, patient: patient, until: until, by: account, agreement: agreement)
    }

    // MARK: Share links

    /// A new share of this record, with the keyed hashes of its token and code (and manifest id), and
    /// its SMART Health Link files as ciphertext.
    public func insert(share: ShareLink, createdBy: AccountID?, tokenHash: String, codeHash: String, manifestHash: String? = nil,
                       longTerm: Bool = false, files: [(id: String, contentType: String, body: String)] = []) async throws {
        guard share.patient == patient else { throw PatientRecordWriterError.otherRecord }
        let repository = ShareLinkRepository(sql)
        try await repository.insert(share, createdBy: createdBy, tokenHash: tokenHash, codeHash: codeHash, manifestHash: manifestHash, longTerm: longTerm)
        if share.keepsScanDates { try await repository.markKeepsDates(id: share.id) }
        for file in files { try await repository.insertFile(share: share.id, id: file.id, contentType: file.contentType, body: file.body) }
    }

    /// Ends a share of this record now; false if there is none not revoked.
    /// With `onlyMadeBy`, only a share that account made.
    public func revoke(share id: GrantID, by account: AccountID?, at now: Date, onlyMadeBy maker: AccountID? = nil) async throws -> Bool {
        try await ShareLinkRepository(sql).revoke(id: id, patient: patient, by: account, at: now, onlyMadeBy: maker)
    }

    // MARK: Image consents

    /// Records a consent for the use of this record's images.
    public func insert(imageConsent consent: ImageConsent) async throws {
        guard consent.patient == patient else { throw PatientRecordWriterError.otherRecord }
        try await ImageConsentRepository(sql: sql).insert(consent)
    }

    /// This record's image consents (to check what they cover in the same transaction).
    public func imageConsents() async throws -> [ImageConsent] {
        try await ImageConsentRepository(sql: sql).all(patient: patient)
    }

    /// Withdraws one of this record's image consents now; false if there is none in force.
    public func withdraw(imageConsent id: ConsentID, by account: AccountID?, at now: Date) async throws -> Bool {
        try await ImageConsentRepository(sql: sql).withdraw(id: id, patient: patient, by: account, at: now)
    }

    // MARK: Disclosures

    /// Records a disclosure of this record's information.
    public func insert(disclosure: Disclosure) async throws {
        guard disclosure.patient == patient else { throw PatientRecordWriterError.otherRecord }
        try await DisclosureRepository(sql: sql).insert(disclosure)
    }

    // MARK: Mail about this record

    /// Queues a message (its body sealed) in this transaction.
    public func insert(mail message: OutboxMessage) async throws {
        try await OutboxRepository(sql).insert(message)
    }

    /// Where mail to the patient goes: their account's address, or the one on file.
    public func patientAddress() async throws -> String? {
        if let account = try await AccountRepository(sql).find(patient: patient) { return account.email }
        return try await PatientRepository(sql).find(id: patient)?.email
    }

    // MARK: Audit

    /// Records the events describing this change in the same transaction, chained in one append.
    public func audit(_ events: [AuditEvent]) async throws {
        guard events.allSatisfy({ $0.patient == patient }) else { throw PatientRecordWriterError.otherRecord }
        _ = try await AuditLogRepository(sql, kind: kind).append(contentsOf: events)
    }
}

/// Why a ``PatientRecordWriter`` refused a write.
public enum PatientRecordWriterError: Error, Equatable {
    /// The write named another patient's record (a programming error: it is refused, never done).
    case otherRecord
}
