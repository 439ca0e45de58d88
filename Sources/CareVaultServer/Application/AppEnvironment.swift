import CareVaultCore
import CareVaultStore
import Foundation
import Logging

/// The long-lived things every controller and service shares, built once by ``buildApplication(configuration:logger:)``.
public struct AppEnvironment: Sendable {
    public let configuration: CareVaultConfiguration
    public let database: Database
    public let masterKey: MasterKey
    public let passwordHasher: PasswordHasher
    public let passwordPolicy: PasswordPolicy
    public let renderer: PageRenderer
    public let logger: Logger
    /// Where uploaded files' encrypted bytes live (files under the data folder, or the database).
    public let blobStore: any BlobStore
    /// Draws the first page of uploaded PDFs; nil where poppler is not installed or previews are off.
    let pdfPreviews: PDFPreviewRenderer?
    /// Draws viewable copies of uploaded HEIC and TIFF images; nil where gdk-pixbuf is not installed or they are off.
    let imagePreviews: ImagePreviewRenderer?
    let auditBatcher: AuditBatcher

    init(configuration: CareVaultConfiguration, database: Database, masterKey: MasterKey, passwordHasher: PasswordHasher,
         passwordPolicy: PasswordPolicy, renderer: PageRenderer, logger: Logger) {
        self.configuration = configuration
        self.database = database
        self.masterKey = masterKey
        self.passwordHasher = passwordHasher
        self.passwordPolicy = passwordPolicy
        self.renderer = renderer
        self.logger = logger
        self.auditBatcher = AuditBatcher(database: database)
        self.pdfPreviews = configuration.pdfPreviewCommand.flatMap(PDFPreviewRenderer.init(pdftoppm:))
        self.imagePreviews = configuration.imagePreviewCommand.flatMap(ImagePreviewRenderer.init(thumbnailer:))
        self.blobStore = switch configuration.blobStore {
        case .files: LocalBlobStore(root: configuration.dataDirectory.appendingPathComponent("blobs", isDirectory: true))
        case .database: DatabaseBlobStore(database: database)
        }
    }

    /// The name shown in authenticator apps and page titles.
    public static let productName = "CareVault"

    public var audit: AuditRecorder { AuditRecorder(database: database, batcher: auditBatcher) }
    /// The stored form of an activation or recovery code (a keyed hash).
    public func codeHash(_ code: String) -> String { CodeHasher(masterKey: masterKey).hash(code) }

    public var mailer: Mailer { Mailer(masterKey: masterKey, logger: logger, logBodies: configuration.mailLogBodies) }
    public var sessions: SessionService { SessionService(database: database, audit: audit) }

    /// An absolute link for emails and printed set-up links.
    public func link(_ path: String) -> String {
        var base = configuration.publicURL.absoluteString
        if base.hasSuffix("/") { base.removeLast() }
        return base + path
    }
}
