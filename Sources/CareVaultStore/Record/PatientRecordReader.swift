import CareVaultCore
import SQLKit

/// Every read of one patient's record, on one connection, limited to what one reader may see. It can
/// only be made with a visibility, and every query it makes carries it: there is no way through it to
/// another patient's data or to what this reader may not see.
public struct PatientRecordReader: Sendable {
    public let patient: PatientID
    public let visibility: RecordVisibility
    private let sql: any SQLDatabase
    private var store: FHIRResourceRepository { FHIRResourceRepository(sql) }

    public init(_ sql: any SQLDatabase, patient: PatientID, visibility: RecordVisibility) {
        self.sql = sql
        self.patient = patient
        self.visibility = visibility
    }

    /// A query of this record for this reader (the arguments as ``RecordQuery``'s).
    public func query(resourceType: String? = nil, section: RecordSection? = nil, category: String? = nil, from: Int64? = nil,
                      to: Int64? = nil, encounterReference: String? = nil, text: String? = nil, codeSystem: String? = nil,
                      code: String? = nil, status: String? = nil, limit: Int = 50, offset: Int = 0) -> RecordQuery {
        RecordQuery(visibility: visibility, resourceType: resourceType, section: section, category: category, from: from, to: to,
                    encounterReference: encounterReference, text: text, codeSystem: codeSystem, code: code, status: status,
                    limit: limit, offset: offset)
    }

    /// One page of what `query` finds. A query made for another reader's visibility is refused.
    public func search(_ query: RecordQuery) async throws -> [StoredResource] {
        guard query.visibility == visibility else { throw RecordReaderError.visibilityMismatch }
        return try await store.search(patient: patient, query)
    }

    /// One item of this record that this reader may see (nil otherwise, whatever the reason). What the
    /// patient withdrew (entered in error) is gone from every view but the care team's.
    public func item(type: String, id: String) async throws -> StoredResource? {
        guard type.count <= 64, id.count <= 64,
              let found = try await store.find(type: type, id: id, patient: patient, visibility: visibility) else { return nil }
        if !visibility.showsEnteredInError, (try? JSONParser.parse(found.json)).map(ReportedEntryInput.isEnteredInError) == true { return nil }
        return found
    }

    /// Who did what with this record, from the audit log: events among `actions`, newest first, within
    /// `from`–`to` (milliseconds) and by `actor` when given. (Only a reader the policy allowed
    /// ``Action/readAccessLog`` opens a record for this.)
    public func accessHistory(actions: [AuditAction], from: Int64? = nil, to: Int64? = nil, actor: AccountID? = nil,
                              limit: Int, offset: Int = 0) async throws -> [AuditEntry] {
        try await AccessHistoryQueries(sql: sql).entries(forPatient: patient, actions: actions, from: from, to: to, actor: actor,
                                                         limit: limit, offset: offset)
    }

    /// Everyone who appears by account in this record's access history among `actions`.
    public func accessHistoryPeople(actions: [AuditAction]) async throws -> [AccessHistoryPerson] {
        try await AccessHistoryQueries(sql: sql).people(forPatient: patient, actions: actions)
    }

    /// A shared resource (practitioner, organization…), which holds no patient's data.
    public func shared(type: String, id: String) async throws -> StoredResource? {
        try await store.findShared(type: type, id: id)
    }

    /// Everything this reader may see, in a stable order.
    public func all() async throws -> [StoredResource] {
        try await store.all(patient: patient, visibility: visibility)
    }

    /// What this reader may see of one visit.
    public func linked(to encounterReference: String, limit: Int = 500) async throws -> [StoredResource] {
        try await store.linked(patient: patient, encounterReference: encounterReference, visibility: visibility, limit: limit)
    }

    /// The newest visits with something of `section` this reader may see.
    public func visits(having section: RecordSection, limit: Int) async throws -> [StoredResource] {
        try await store.visits(having: section, patient: patient, visibility: visibility, limit: limit)
    }

    /// The visits a list's "Visit" filter offers: the newest `limit` this reader may see that have items
    /// in `section` (no choice leads to an empty list), and the one `chosen` if it is not among them (the
    /// visits page links to lists filtered by any visit) and this reader may see it.
    public func visitChoices(section: RecordSection, chosen: String, limit: Int) async throws -> [StoredResource] {
        var visits = try await visits(having: section, limit: limit)
        if !chosen.isEmpty, !visits.contains(where: { $0.id == chosen }), let visit = try await item(type: "Encounter", id: chosen) {
            visits.append(visit)
        }
        return visits
    }

    /// What is not released yet, per section, counted (never shown); nothing for readers who see held items.
    public func pending(at time: Int64) async throws -> [RecordReleaseRepository.Pending] {
        visibility.seesHeld ? [] : try await RecordReleaseRepository(sql).pending(patient: patient, visibility: visibility, at: time)
    }

    /// How many items of each section this reader may see have not been opened by the patient.
    public func unopened() async throws -> [RecordSection: Int] {
        try await RecordReleaseRepository(sql).unopened(patient: patient, visibility: visibility)
    }

    /// The review state of the patient's own entries among `ids` (of one type).
    public func reviews(resourceType: String, ids: [String]) async throws -> [String: ReviewItem] {
        guard visibility.allows(type: resourceType) else { return [:] }
        return try await ReviewRepository(sql).items(resourceType: resourceType, ids: ids, patient: patient)
    }

    /// The review state of one of the patient's own entries.
    public func review(resourceType: String, id: String) async throws -> ReviewItem? {
        guard visibility.allows(type: resourceType) else { return nil }
        return try await ReviewRepository(sql).find(resourceType: resourceType, resourceID: id, patient: patient)
    }

    /// The names of everyone who has held proxy access to this record (account id → name), for saying
    /// who added an item: "Added by Ana Lopez for Maria Lopez".
    public func proxyNames() async throws -> [String: String] {
        let rows = try await sql.raw("""
            SELECT DISTINCT a.id, a.display_name FROM proxy_grants g JOIN accounts a ON a.id = g.proxy_account_id
            WHERE g.patient_id = \(bind: patient.description)
            """).all()
        return Dictionary(try rows.map { (try $0.string("id"), try $0.string("display_name")) }, uniquingKeysWith: { first, _ in first })
    }

    /// The disclosures of this record on or after `since`, newest first (the accounting of disclosures).
    public func disclosures(since: BirthDate, limit: Int) async throws -> [Disclosure] {
        try await DisclosureRepository(sql: sql).list(patient: patient, since: since, limit: limit)
    }

    /// Everyone this record was offered to as a proxy, in every state, newest first.
    public func proxyGrants() async throws -> [StoredProxyGrant] {
        try await ProxyGrantRepository(sql).all(patient: patient)
    }

    /// This record's image consents, withdrawn ones too, newest first.
    public func imageConsents() async throws -> [ImageConsent] {
        try await ImageConsentRepository(sql: sql).all(patient: patient)
    }

    /// This record's shares, in every state, newest first.
    public func shareLinks(limit: Int = 200) async throws -> [StoredShareLink] {
        try await ShareLinkRepository(sql).all(patient: patient, limit: limit)
    }

    /// The encrypted files (ids and content types) of one of this record's shares, handed out as a SMART Health Link.
    public func healthLinkFiles(share: GrantID) async throws -> [(id: String, contentType: String)] {
        try await ShareLinkRepository(sql).files(share: share, patient: patient)
    }

    /// One encrypted file (a compact JWE) of one of this record's shares.
    public func healthLinkFile(share: GrantID, id: String) async throws -> (contentType: String, body: String)? {
        guard id.count <= 16 else { return nil }
        return try await ShareLinkRepository(sql).file(share: share, id: id, patient: patient)
    }

    /// The patient's live uploads whose DocumentReference this reader may see, newest first.
    public func uploads(limit: Int, offset: Int) async throws -> [PatientUpload] {
        try await UploadRepository(sql).list(patient: patient, visibility: visibility, limit: limit, offset: offset)
    }

    /// One live upload whose DocumentReference this reader may see.
    public func upload(id: String) async throws -> PatientUpload? {
        try await UploadRepository(sql).find(id: id, patient: patient, visibility: visibility)
    }

    /// The upload behind a DocumentReference this reader may see (deleted ones too).
    public func upload(documentID: String) async throws -> PatientUpload? {
        guard try await item(type: "DocumentReference", id: documentID) != nil else { return nil }
        return try await UploadRepository(sql).find(documentID: documentID, patient: patient)
    }
}

/// A misuse of ``PatientRecordReader`` (a programming error, answered as a server error).
public enum RecordReaderError: Error {
    case visibilityMismatch
}
