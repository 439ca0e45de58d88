import CareVaultCore

/// A page with one form: sign in, register, reset a password, create a patient…
public struct FormPage: Page {
    public static let template = "form"
    public let layout: Layout
    public let heading: String
    public let intro: [String]
    public let errorSummary: ErrorSummary?
    public let action: String
    public let fields: [FormField]
    public let hidden: [HiddenField]
    public let submitLabel: String
    public let links: [Link]
    public let hasLinks: Bool

    public init(layout: Layout, heading: String, intro: [String] = [], failure: ValidationFailure? = nil, action: String,
                fields: [FormField], hidden: [HiddenField] = [], submitLabel: String, links: [Link] = []) {
        self.layout = layout
        self.heading = heading
        self.intro = intro
        self.errorSummary = ErrorSummary(failure)
        self.action = action
        self.fields = fields
        self.hidden = hidden
        self.submitLabel = submitLabel
        self.links = links
        self.hasLinks = !links.isEmpty
    }
}
