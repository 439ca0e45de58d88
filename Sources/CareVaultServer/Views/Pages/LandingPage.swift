/// The home page for someone not signed in.
public struct LandingPage: Page {
    public static let template = "landing"
    public let layout: Layout
    public let signInLink = Paths.signIn
    public let registerLink = Paths.register
}

/// The choice between the two ways to register.
public struct RegisterChoicePage: Page {
    public static let template = "register-choice"
    public let layout: Layout
    public let withCodeLink = Paths.registerWithCode
    public let byIdentityLink = Paths.registerByIdentity
    public let signInLink = Paths.signIn
}
