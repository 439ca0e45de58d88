import CareVaultCore
import CareVaultStore

/// The picture an upload's page shows, for the patient and for the clinician reviewing it: a JPEG or
/// PNG as stored, a copy of a HEIC or TIFF image, or a PDF's first page, where the server can draw one.
public struct UploadPreview: Sendable, Encodable {
    /// The image's address (the file itself, or the preview route).
    public let link: String
    public let alt: String
    /// What the picture is when it is not the file itself.
    public let caption: String?

    /// Draws a preview from the decrypted file that `load` supplies; nil when it cannot.
    typealias Converter = @Sendable (_ load: () async throws -> [UInt8]) async throws -> [UInt8]?

    /// The preview for `upload`, or nil for kinds with none (DICOM, text) or where no converter can draw it.
    static func of(_ upload: PatientUpload, env: AppEnvironment) async -> UploadPreview? {
        let patient = upload.patient.description
        if upload.kind.displaysInBrowsers {
            return UploadPreview(link: Paths.uploadFile(patient, upload.id), alt: "The uploaded image: \(upload.title)", caption: nil)
        }
        guard await converter(for: upload, env: env) != nil else { return nil }
        let link = Paths.uploadPreview(patient, upload.id)
        return upload.kind == .pdf
            ? UploadPreview(link: link, alt: "First page of the document “\(upload.title)”", caption: "First page")
            : UploadPreview(link: link, alt: "The uploaded image: \(upload.title)",
                            caption: "A copy made for viewing in the browser. The download is the original file.")
    }

    /// What draws `upload`'s preview on the preview route: poppler for a PDF, gdk-pixbuf for a HEIC or
    /// TIFF image; nil where neither is available or the file is too large for it.
    static func converter(for upload: PatientUpload, env: AppEnvironment) async -> Converter? {
        if upload.kind == .pdf {
            guard let renderer = env.pdfPreviews, upload.size <= PDFPreviewRenderer.maxInputBytes else { return nil }
            return renderer.render
        }
        guard let renderer = env.imagePreviews, await renderer.draws(upload.kind, size: upload.size) else { return nil }
        return renderer.render
    }
}
