import CareVaultCore
import CareVaultStore
import Foundation

/// Consent for the use of a patient's images: recorded by a clinician (signed by the patient, apart
/// from consent to treatment), read and withdrawn by the patient, printed as a PDF copy. Everything
/// goes through the record's door and is audited in its transaction.
struct ImageConsentService: Sendable {
    let env: AppEnvironment

    /// What the clinician's form sent.
    struct Entry: Sendable {
        var images: [String] = []
        var purposes: Set<ImagePurpose> = []
        var signedName = ""
        var signedOn = ""
        var signedInClinic = false
    }

    /// The images of `record` a consent can be about: items with photos or scans, newest first.
    func candidates(_ record: PatientRecord) async throws -> [SharedImages.Image] {
        try await record.read { reader in
            var found: [StoredResource] = []
            for section in [RecordSection.documents, .imaging, .other] {
                found += try await reader.search(reader.query(section: section, limit: 200))
            }
            var seen: Set<String> = []
            return try await SharedImages.find(in: found.filter { seen.insert("\($0.resourceType)/\($0.id)").inserted }, reader: reader)
        }
    }

    /// Records a consent the patient signed, for images of `record` (each checked against the record).
    func record(_ entry: Entry, in record: PatientRecord, by account: Account, info: RequestInfo) async throws -> ImageConsent {
        let candidates = Set(try await candidates(record).map(\.reference))
        var errors: [FieldError] = []
        let images = entry.images.filter(candidates.contains)
        if images.isEmpty || images.count != entry.images.count { errors.append(FieldError(field: "images", message: "Choose the images the consent is for.")) }
        if entry.purposes.isEmpty { errors.append(FieldError(field: "purposes", message: "Choose at least one purpose the patient agreed to.")) }
        let name = entry.signedName.trimmingCharacters(in: .whitespacesAndNewlines)
        if name.isEmpty || name.count > 200 { errors.append(FieldError(field: "signedName", message: "The patient types their full name to sign.")) }
        let day = (try? Inputs.birthDate(entry.signedOn, field: "signedOn"))
        let today = BirthDate(Date(), in: env.configuration.timeZone)
        if day == nil || day! > today { errors.append(FieldError(field: "signedOn", message: "Enter the day the patient signed, for example \(today).")) }
        if !errors.isEmpty { throw ValidationFailure(errors) }
        let consent = ImageConsent(patient: record.patient.id, images: images, purposes: entry.purposes, signedName: name, signedOn: day!.description,
                                   signedInClinic: entry.signedInClinic, source: .clinician, recordedBy: account.id, recordedAt: Date())
        try await record.write { writer in
            try await writer.insert(imageConsent: consent)
            try await writer.audit([AuditEvent(.imageConsentRecorded, info: info, actor: account, patient: writer.patient, resourceType: "Consent",
                                               resourceID: consent.id.description, basis: record.basis.description, entities: images)])
        }
        return consent
    }

    /// Withdraws one of `record`'s consents now: every later use is refused, shares already made included.
    func withdraw(_ rawID: String, in record: PatientRecord, by account: Account, info: RequestInfo) async throws {
        guard let id = ConsentID(rawID) else { throw ShareError.unknown }
        let done: Bool = try await record.write { writer in
            guard try await writer.withdraw(imageConsent: id, by: account.id, at: Date()) else { return false }
            try await writer.audit([AuditEvent(.imageConsentWithdrawn, info: info, actor: account, patient: writer.patient, resourceType: "Consent",
                                               resourceID: id.description, basis: record.basis.description)])
            return true
        }
        guard done else { throw ShareError.unknown }
    }

    /// A consent as a PDF copy for the patient.
    func pdf(_ consent: ImageConsent, names: [String: String], patient: Patient) throws -> Data {
        let zone = env.configuration.timeZone
        var document = try RecordPrintouts.document("Consent for the use of images", patient: patient, printed: Date(), zone: zone)
        document.paragraph(ImageConsent.statement)
        document.heading("Images", size: 12)
        document.table(columns: [("Image", 6)], rows: consent.images.map { [names[$0] ?? $0] })
        document.heading("Purposes agreed to", size: 12)
        document.table(columns: [("Purpose", 6)], rows: ImagePurpose.allCases.filter(consent.purposes.contains).map { [$0.plainText] })
        document.facts([
            ("Signed by", consent.signedName), ("Signed on", PlainDate.day(consent.signedOn)),
            ("How", consent.source == .shareFlow ? "Confirmed by the patient while sharing" : consent.signedInClinic ? "Signed in the clinic" : "Typed name"),
            ("Withdrawn", consent.withdrawnAt.map { PlainDate.instant($0, in: zone) } ?? "No"),
        ])
        return document.pdf()
    }
}
