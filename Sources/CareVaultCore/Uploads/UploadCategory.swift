/// What a patient says an upload is (they choose; the content decides only the file kind).
public enum UploadCategory: String, Sendable, CaseIterable, Codable {
    case labReport = "lab-report"
    case imaging
    case visitSummary = "visit-summary"
    case letter
    case photo
    case other

    /// In plain words, for the form and the list.
    public var title: String {
        switch self {
        case .labReport: "Lab or test result"
        case .imaging: "Imaging (X-ray, scan, DICOM)"
        case .visitSummary: "Visit summary or discharge paper"
        case .letter: "Letter"
        case .photo: "Photo"
        case .other: "Something else"
        }
    }
}
