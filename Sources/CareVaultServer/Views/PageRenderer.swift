import CareVaultCore
import Foundation
import Hummingbird
import Mustache

/// A page: a Sendable model built by a controller, rendered by one logic-free template.
public protocol Page: Sendable, Encodable {
    /// The template's file name in `Templates/` without `.mustache`.
    static var template: String { get }
    var layout: Layout { get }
}

/// Renders pages with the bundled Mustache templates (HTML escaping on for every `{{value}}`).
public struct PageRenderer: Sendable {
    let library: MustacheLibrary

    public init(library: MustacheLibrary) { self.library = library }

    /// Loads every template in the bundle's `Templates` folder, each escaping with ``HTMLEscaping``.
    public static func bundled() async throws -> PageRenderer {
        guard let folder = Bundle.module.resourceURL?.appendingPathComponent("Templates") else {
            throw ConfigurationError.invalid("The Templates resource folder is missing from the build.")
        }
        MustacheContentTypes.register(HTMLEscaping(), named: HTMLEscaping.name)
        var templates: [String: MustacheTemplate] = [:]
        for file in try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil) where file.pathExtension == "mustache" {
            // The pragma on a line of its own renders as nothing; partials and layouts carry it too.
            let text = "{{% CONTENT_TYPE: \(HTMLEscaping.name)}}\n" + (try String(contentsOf: file, encoding: .utf8))
            templates[file.deletingPathExtension().lastPathComponent] = try MustacheTemplate(string: text)
        }
        return PageRenderer(library: MustacheLibrary(templates: templates))
    }

    public func render<P: Page>(_ page: P) -> String {
        guard let html = library.render(TemplateModelEncoder.encode(page), withTemplate: P.template) else {
            preconditionFailure("template \(P.template) is not in the library")
        }
        return html
    }

    /// An HTML response for a page.
    public func response<P: Page>(_ page: P, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status,
            headers: [.contentType: "text/html; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: render(page)))
        )
    }
}

/// What the shared layout shows around every page.
public struct Layout: Sendable, Encodable {
    public let title: String
    public let csrfToken: String
    /// Present when someone is signed in.
    public let nav: Nav?
    /// A one-line confirmation shown at the top ("Your password was changed.").
    public let notice: String?
    /// Present when nobody is signed in.
    public let guestNav: GuestNav?
    /// Whose record this page shows, when it is not the reader's own ("Viewing the record of …").
    public let viewing: String?
    public let stylesheet = Paths.stylesheet
    public let homeLink = Paths.home

    public init(title: String, csrfToken: String, nav: Nav? = nil, notice: String? = nil, viewing: String? = nil) {
        self.title = title
        self.csrfToken = csrfToken
        self.nav = nav
        self.guestNav = nav == nil ? GuestNav() : nil
        self.notice = notice
        self.viewing = viewing
    }

    /// One record in the switcher.
    public struct RecordChoice: Sendable, Encodable {
        public let href: String
        public let text: String
        public let isCurrent: Bool
    }

    /// The navigation of someone not signed in.
    public struct GuestNav: Sendable, Encodable {
        public let signInLink = Paths.signIn
        public let registerLink = Paths.register
    }

    /// The navigation of a signed-in account.
    public struct Nav: Sendable, Encodable {
        public let displayName: String
        public let roleName: String
        /// Whether this is someone of a care team (the footer says their looks are logged by name).
        public let isCareTeam: Bool
        /// The links the policy offers this account (``AuthorizationPolicy/offers(_:_:)``).
        public let showsPatients: Bool
        public let showsIdentityChecks: Bool
        public let showsReleaseQueue: Bool
        public let showsReviewQueue: Bool
        public let showsImport: Bool
        public let showsSettings: Bool
        public let homeLink: String
        /// The records this person may switch between (empty unless they hold proxy grants).
        public let records: [RecordChoice]
        public let hasRecords: Bool
        public let recordsLink = Paths.records
        public let staffPatientsLink = Paths.staffPatients
        public let identityChecksLink = Paths.identityChecks
        public let releaseQueueLink = Paths.releaseQueue
        public let importLink = Paths.staffImport
        public let releaseRulesLink = Paths.releaseRules
        public let reviewQueueLink = Paths.reviewQueue
        public let uploadRetentionLink = Paths.uploadRetention
        public let proxyRulesLink = Paths.proxyRules
        public let securityLink = Paths.security
        public let activityLink = Paths.activity
        public let signOutLink = Paths.signOut
    }
}

/// One labelled input, with its hint and error tied to it for screen readers.
public struct FormField: Sendable, Encodable {
    public let id: String
    public let name: String
    public let label: String
    public let type: String
    public let value: String
    public let autocomplete: String
    public let hint: String?
    public let error: String?
    public let required: Bool
    public let inputmode: String?
    /// The ids of the hint and error, for `aria-describedby`.
    public let describedBy: String

    public init(name: String, label: String, type: String = "text", value: String = "", autocomplete: String = "off",
                hint: String? = nil, error: String? = nil, required: Bool = true, inputmode: String? = nil) {
        self.id = "field-" + name
        self.name = name
        self.label = label
        self.type = type
        // Passwords are never sent back to the browser.
        self.value = type == "password" ? "" : value
        self.autocomplete = autocomplete
        self.hint = hint
        self.error = error
        self.required = required
        self.inputmode = inputmode
        let fieldID = "field-" + name
        self.describedBy = [hint.map { _ in fieldID + "-hint" }, error.map { _ in fieldID + "-error" }]
            .compactMap { $0 }.joined(separator: " ")
    }
}

/// The list of problems shown above a form, each linking to its field.
public struct ErrorSummary: Sendable, Encodable {
    public struct Item: Sendable, Encodable {
        public let fieldID: String
        public let message: String
    }

    public let items: [Item]

    public init?(_ failure: ValidationFailure?) {
        guard let failure, !failure.errors.isEmpty else { return nil }
        items = failure.errors.map { Item(fieldID: "field-" + $0.field, message: $0.message) }
    }
}

extension ValidationFailure {
    /// The message for `field`, for a ``FormField``.
    func error(_ field: String) -> String? { message(for: field) }
}
