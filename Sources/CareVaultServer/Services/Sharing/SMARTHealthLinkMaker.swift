import CareVaultCore
import CareVaultStore
import Foundation

/// Turns a share into a SMART Health Link (HL7 SMART Health Links): a random manifest id (256 bits),
/// a fresh 32-byte key, and the shared content — a FHIR Bundle of the shared items, and a readable PDF
/// in a DocumentReference — each encrypted with that key as a compact JWE. Only the ciphertext is kept;
/// the key leaves in the `shlink:/` URI, shown to the patient once.
struct SMARTHealthLinkMaker: Sendable {
    let env: AppEnvironment

    struct Made: Sendable {
        let manifestID: String
        /// `shlink:/…`: what the QR code and the copied link carry.
        let uri: String
        let files: [(id: String, contentType: String, body: String)]
    }

    func make(_ share: ShareLink, record: PatientRecord, resolved: ShareSelection.Resolved, longTerm: Bool) async throws -> Made {
        let key = SecureRandom.bytes(32)
        let manifestID = Base64URL.encode(SecureRandom.bytes(32))
        let url = env.link(Paths.healthLinkManifest(manifestID))
        // The specification keeps the manifest URL to 128 characters (QR codes stay readable).
        guard url.count <= 128 else {
            throw ValidationFailure([FieldError(field: "healthLink", message: "This server's address is too long for a SMART Health Link. Share with a link and code instead.")])
        }
        let binaries = try await record.read { reader -> [StoredResource] in
            var found: [StoredResource] = []
            for file in resolved.files {
                if let binary = try await reader.item(type: "Binary", id: String(file.dropFirst("Binary/".count))) { found.append(binary) }
            }
            return found
        }
        let base = env.link("/fhir")
        let bundle = SharedContent.bundle(patient: record.patient, resources: resolved.listed + binaries, base: base)
        let pdf = try SharedContent(resolved.listed).pdf(patient: record.patient, label: share.label, note: share.note, expires: share.expiresAt,
                                                          printed: share.createdAt, zone: env.configuration.timeZone)
        let printout = SharedContent.bundle(patient: record.patient, resources: [], base: base, pdf: pdf)
        let files = [
            (id: "1", contentType: "application/fhir+json", body: try CompactJWE.encrypt(Data(bundle.utf8), key: key, contentType: "application/fhir+json")),
            (id: "2", contentType: "application/fhir+json", body: try CompactJWE.encrypt(Data(printout.utf8), key: key, contentType: "application/fhir+json")),
        ]
        let payload = JSONValue.object([
            ("url", .string(url)), ("key", .string(Base64URL.encode(key))), ("exp", .number(String(Int(share.expiresAt.timeIntervalSince1970)))),
            ("flag", .string(longTerm ? "LP" : "P")), ("label", .string(String(share.label.prefix(80)))), ("v", .number("1")),
        ])
        let uri = "shlink:/" + Base64URL.encode(Array(payload.jsonText.utf8))
        return Made(manifestID: manifestID, uri: uri, files: files)
    }
}
