/// A page that says one thing: a confirmation, an expired link, an error.
public struct MessagePage: Page {
    public static let template = "message"
    public let layout: Layout
    public let heading: String
    public let paragraphs: [String]
    public let link: Link?

    public init(layout: Layout, heading: String, paragraphs: [String], link: Link? = nil) {
        self.layout = layout
        self.heading = heading
        self.paragraphs = paragraphs
        self.link = link
    }
}
