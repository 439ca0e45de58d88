import CareVaultCore
import CareVaultStore
import Crypto
import Foundation
import Synchronization

/// An image leaving in a share: only while a consent covers it for consultation outside the clinic,
/// and de-identified — a scan (DICOM) after the Basic Profile with the share's own UID mapping and
/// date choice, a photo without its EXIF, XMP, IPTC, GPS and maker notes (uploads were cleaned when
/// they came in; imported JPEG and PNG photos are cleaned here; other imported kinds do not leave).
struct SharedImageFile: Sendable {
    /// The largest scan read into memory to be de-identified.
    static let maximumBytes = 64 << 20
    let env: AppEnvironment

    /// Why an image does not leave.
    enum Refusal: Error, Equatable {
        /// No consent in force covers it (never given, or withdrawn).
        case noConsent
        /// It could not be read whole, or is of a kind that cannot be cleaned here.
        case cannotClean
        /// Too many scans are being cleaned at once.
        case busy
    }

    /// The de-identifier of `share`: its own UID mapping, and its dates kept or shifted.
    func deidentifier(for share: ShareLink) -> DICOMDeidentifier {
        let secret = Array(HMAC<SHA256>.authenticationCode(for: Data(share.id.description.utf8), using: env.masterKey.derivedKey(purpose: "share-dicom")))
        return DICOMDeidentifier(secret: secret, dates: share.keepsScanDates ? .keep : .shift(days: DICOMDeidentifier.shiftDays(secret: secret)))
    }

    /// Refuses unless a consent of `record` in force covers `item` (`Type/id`) for consultation outside the
    /// clinic in `share` (a consent given while making another share does not).
    func requireConsent(_ item: String, in record: PatientRecord, share: GrantID) async throws {
        let consents = try await record.read { try await $0.imageConsents() }
        guard consents.contains(where: { $0.covers(item, for: .consultation, at: Date(), in: share) }) else { throw Refusal.noConsent }
    }

    /// The cleaned bytes of an image whose original bytes are `bytes`, declared as `contentType`.
    func clean(_ bytes: [UInt8], contentType: String, share: ShareLink) throws -> [UInt8] {
        if SharedImages.isScan(contentType: contentType) {
            guard let clean = try? deidentifier(for: share).deidentify(bytes) else { throw Refusal.cannotClean }
            return clean
        }
        guard case .success(let kind) = UploadSniffer.kind(of: Array(bytes.prefix(4096)), fileName: "image"),
              var stripper = ImageMetadataStripper(kind: kind) else { throw Refusal.cannotClean }
        do {
            return try stripper.update(bytes) + stripper.finish()
        } catch {
            throw Refusal.cannotClean
        }
    }

    /// An upload's original bytes, decrypted (for a scan to be de-identified before it leaves).
    func bytes(of upload: PatientUpload) async throws -> [UInt8] {
        guard upload.size <= Self.maximumBytes else { throw Refusal.cannotClean }
        return try await UploadPreviewCache(env: env).plaintext(of: upload.blobID)
    }

    /// Scans held in memory at once to be cleaned (each up to ``maximumBytes``, copied twice while it
    /// is rewritten): more parallel downloads wait for a free place or are told to try again.
    static let cleaningAtOnce = 2
    private static let cleaning = Mutex(0)

    /// Runs `body` in one of the ``cleaningAtOnce`` places, or throws ``Refusal/busy``.
    func inCleaningPlace<T>(_ body: () async throws -> T) async throws -> T {
        guard Self.cleaning.withLock({ count in
            guard count < Self.cleaningAtOnce else { return false }
            count += 1
            return true
        }) else { throw Refusal.busy }
        defer { Self.cleaning.withLock { $0 -= 1 } }
        return try await body()
    }
}
