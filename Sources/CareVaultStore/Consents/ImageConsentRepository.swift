import CareVaultCore
import Foundation
import SQLKit

/// Image consents (`image_consents`), reached through ``PatientRecordWriter`` and ``PatientRecordReader``:
/// always one patient's.
struct ImageConsentRepository: Sendable {
    let sql: any SQLDatabase

    func insert(_ consent: ImageConsent) async throws {
        let images = String(decoding: try JSONEncoder().encode(consent.images), as: UTF8.self)
        try await sql.raw("""
            INSERT INTO image_consents (id, patient_id, images, purposes, signed_name, signed_on, signed_in_clinic, source, statement, recorded_by, recorded_at,
                share_id)
            VALUES (\(bind: consent.id.description), \(bind: consent.patient.description), \(bind: images),
                \(bind: consent.purposes.map(\.rawValue).sorted().joined(separator: " ")), \(bind: consent.signedName), \(bind: consent.signedOn),
                \(bind: consent.signedInClinic ? 1 : 0), \(bind: consent.source.rawValue), \(bind: ImageConsent.statement),
                \(bind: consent.recordedBy?.description), \(bind: consent.recordedAt.ms), \(bind: consent.share?.description))
            """).run()
    }

    func all(patient: PatientID) async throws -> [ImageConsent] {
        try await sql.raw("SELECT * FROM image_consents WHERE patient_id = \(bind: patient.description) ORDER BY recorded_at DESC, id LIMIT 500")
            .all().map(Self.consent)
    }

    func withdraw(id: ConsentID, patient: PatientID, by account: AccountID?, at now: Date) async throws -> Bool {
        try await sql.raw("""
            UPDATE image_consents SET withdrawn_at = \(bind: now.ms), withdrawn_by = \(bind: account?.description)
            WHERE id = \(bind: id.description) AND patient_id = \(bind: patient.description) AND withdrawn_at IS NULL RETURNING id
            """).first() != nil
    }

    static func consent(_ row: any SQLRow) throws -> ImageConsent {
        ImageConsent(
            id: try row.id("id"), patient: try row.id("patient_id"),
            images: try JSONDecoder().decode([String].self, from: Data(try row.string("images").utf8)),
            purposes: Set(try row.string("purposes").split(separator: " ").compactMap { ImagePurpose(rawValue: String($0)) }),
            signedName: try row.string("signed_name"), signedOn: try row.string("signed_on"), signedInClinic: try row.int("signed_in_clinic") != 0,
            source: ImageConsent.Source(rawValue: try row.string("source")) ?? .clinician, recordedBy: try row.optionalID("recorded_by"),
            recordedAt: try row.date("recorded_at"), withdrawnAt: try row.optionalDate("withdrawn_at"), withdrawnBy: try row.optionalID("withdrawn_by"),
            share: try row.optionalID("share_id"))
    }
}
