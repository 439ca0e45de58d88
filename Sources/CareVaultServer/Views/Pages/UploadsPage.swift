/// The patient's own files: the upload form, what the last upload did, and the list.
public struct UploadsPage: Page {
    public static let template = "uploads"
    public let layout: Layout
    public let patientName: String
    public let errorSummary: ErrorSummary?
    public let action: String
    public let title: FormField
    public let category: SelectField
    public let serviceDate: FormField
    /// The size limit in words ("100 MB").
    public let limit: String
    public let fileError: String?
    /// What happened to each file just sent, in words.
    public let results: [String]
    public let hasResults: Bool
    public let uploads: [Item]
    public let isEmpty: Bool
    public let previousPageLink: String?
    public let nextPageLink: String?
    public let backLink: String

    public struct Item: Sendable, Encodable {
        public let title: String
        public let fileName: String
        /// "PDF document, 1.2 MB"
        public let kind: String
        public let category: String
        public let serviceDate: String?
        public let uploaded: String
        /// Who put it here and whether a clinician has checked it, in words.
        public let source: String
        /// The file's own page (preview, status, rename, delete).
        public let link: String
        public let downloadLink: String
        /// Where it stands with the care team ("Submitted", "Returned"), and their comment if returned.
        public let status: String
        public let comment: String?
        /// For DICOM: what the image is, in words ("CT, 128 × 128, 1 frame").
        public let imageSummary: String?
        /// For DICOM: the identifying details in the file, as "Patient's name: Jane Doe".
        public let identifyingDetails: [String]
        public let hasIdentifyingDetails: Bool
    }
}

/// One uploaded file: a preview where the browser can show one, its details, where it stands with
/// the care team, and the forms to rename, re-file or delete it.
public struct UploadItemPage: Page {
    public static let template = "upload-item"
    public let layout: Layout
    public let title: String
    public let facts: [ReviewItemPage.Fact]
    public let downloadLink: String
    /// The picture shown, scaled: an image as stored or as a copy the server draws, or a PDF's first page.
    public let preview: UploadPreview?
    public let isPDF: Bool
    public let status: String?
    public let comment: String?
    public let identifyingDetails: [String]
    public let hasIdentifyingDetails: Bool
    public let canEdit: Bool
    public let errorSummary: ErrorSummary?
    public let action: String
    public let titleField: FormField
    public let category: SelectField
    public let backLink: String
}
