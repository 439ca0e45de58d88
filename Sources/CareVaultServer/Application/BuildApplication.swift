import CareVaultCore
import CareVaultStore
import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOSSL
import ServiceLifecycle

/// Builds the CareVault server: opens the database, creates the data folder and master key on
/// first start, and wires middleware and controllers. Used by `carevault serve` and by the tests.
///
/// Migrations run before the server accepts connections; on first start with no administrator a
/// one-time set-up link is printed.
public func buildApplication(
    configuration: CareVaultConfiguration,
    logger: Logger = Logger(label: "carevault"),
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) async throws -> some ApplicationProtocol {
    try configuration.validate()
    let env = try await makeEnvironment(configuration: configuration, logger: logger)
    return try buildApplication(environment: env, onServerRunning: onServerRunning)
}

/// Builds the server around an environment made with ``makeEnvironment(configuration:logger:)``,
/// so a caller (the tests) can share its database handle.
public func buildApplication(
    environment env: AppEnvironment,
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) throws -> some ApplicationProtocol {
    let configuration = env.configuration
    let logger = env.logger
    // Uploads of a request that never finished (the server stopped mid-way) are left in tmp/: no
    // request is running yet, so everything there is an orphan.
    try? FileManager.default.removeItem(at: configuration.temporaryDirectory)
    let router = makeRouter(env: env)

    let server: HTTPServerBuilder
    if let certificate = configuration.tlsCertificatePath, let key = configuration.tlsKeyPath {
        let tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(certificate).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: key, format: .pem)))
        server = try .tls(.http1LargeReads, tlsConfiguration: tls)
    } else {
        server = .http1LargeReads
    }

    var app = Application(
        router: router,
        server: server,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
        services: [DatabaseService(database: env.database), Housekeeping(env: env)],
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
        logger: logger
    )
    app.beforeServerStarts {
        try await Migrator(database: env.database).migrate(logger: logger)
        try await CodeRekeying(env: env).run()
        try await SecurityLabelIndexing(env: env).run()
        try await BlobRepair(env: env).run()
        await Housekeeping(env: env).runOnce()
        if let link = try await SetupLinkService(env: env).issueLinkIfNeeded() {
            // Printed, not logged: it is a one-time secret for the person starting the server.
            print("""

                CareVault has no administrator yet. Open this one-time link to create one (valid 24 hours):
                  \(link)
                Or run: carevault staff create --role admin --email you@example.org --name "Your Name" --password-stdin

                """)
            fflush(nil)
        }
        logger.info("CareVault is ready", metadata: ["url": "\(configuration.publicURL.absoluteString)", "database": "\(env.database.kind.rawValue)"])
    }
    return app
}

/// Creates the data folder and key, and opens (lazily) the database.
public func makeEnvironment(configuration: CareVaultConfiguration, logger: Logger) async throws -> AppEnvironment {
    let fm = FileManager.default
    DataFolderPermissions.restrictNewFiles()
    try fm.createDirectory(at: configuration.dataDirectory, withIntermediateDirectories: true,
                           attributes: [.posixPermissions: 0o700])
    DataFolderPermissions.repair(configuration.dataDirectory, logger: logger)
    let masterKey = try MasterKey.loadOrCreate(at: configuration.dataDirectory.appendingPathComponent("master.key"))
    let database = Database(location: try configuration.databaseLocation, logger: logger)
    return AppEnvironment(
        configuration: configuration, database: database, masterKey: masterKey,
        passwordHasher: PasswordHasher(cost: configuration.passwordHashCost), passwordPolicy: PasswordPolicy(),
        renderer: try await PageRenderer.bundled(), logger: logger)
}

/// The routes and the middleware around them, outermost first.
func makeRouter(env: AppEnvironment) -> Router<AppRequestContext> {
    let configuration = env.configuration
    let cookies = SessionCookie(secure: configuration.usesSecureCookies)
    let router = Router(context: AppRequestContext.self)
    router.add(middleware: SecurityHeadersMiddleware(strictTransportSecurity: configuration.usesSecureCookies))
    router.add(middleware: ErrorPageMiddleware(renderer: env.renderer))
    router.add(middleware: ClientAddressMiddleware(trustedProxies: configuration.trustedProxies))
    router.add(middleware: RateLimitMiddleware(limiter: RateLimiter(limit: configuration.rateLimit.requests, per: configuration.rateLimit.per)))
    router.add(middleware: SessionMiddleware(sessions: env.sessions, cookies: cookies))
    router.add(middleware: CSRFMiddleware(key: env.masterKey.derivedKey(purpose: "csrf"), cookies: cookies))
    router.add(middleware: RecordAuditMiddleware(audit: env.audit))

    HealthController(env: env).addRoutes(to: router)
    StaticAssetsController().addRoutes(to: router)
    HomeController(env: env).addRoutes(to: router)
    SignInController(env: env, cookies: cookies).addRoutes(to: router)
    RegistrationController(env: env).addRoutes(to: router)
    PasswordController(env: env, cookies: cookies).addRoutes(to: router)
    AccountSecurityController(env: env).addRoutes(to: router)
    PatientRecordController(env: env).addRoutes(to: router)
    StaffPatientsController(env: env).addRoutes(to: router)
    IdentityChecksController(env: env).addRoutes(to: router)
    SetupController(env: env).addRoutes(to: router)
    FHIRController(env: env).addRoutes(to: router)
    LabResultsController(env: env).addRoutes(to: router)
    RecordSectionsController(env: env).addRoutes(to: router)
    RecordItemController(env: env).addRoutes(to: router)
    ReleaseController(env: env).addRoutes(to: router)
    ImportController(env: env).addRoutes(to: router)
    UploadsController(env: env).addRoutes(to: router)
    UploadItemController(env: env).addRoutes(to: router)
    UploadRetentionController(env: env).addRoutes(to: router)
    ReadingsController(env: env).addRoutes(to: router)
    ReadingImportController(env: env).addRoutes(to: router)
    ReportEntryController(env: env).addRoutes(to: router)
    ContributionRemovalController(env: env).addRoutes(to: router)
    ReviewController(env: env).addRoutes(to: router)
    VisitsController(env: env).addRoutes(to: router)
    AccessHistoryController(env: env).addRoutes(to: router)
    ProxiesController(env: env).addRoutes(to: router)
    StaffProxyController(env: env).addRoutes(to: router)
    ProxyInvitationController(env: env).addRoutes(to: router)
    RecordsController(env: env).addRoutes(to: router)
    ProxyRulesController(env: env).addRoutes(to: router)
    DisclosuresController(env: env).addRoutes(to: router)
    SharesController(env: env).addRoutes(to: router)
    SharedRecordController(env: env, cookies: cookies).addRoutes(to: router)
    HealthLinkController(env: env).addRoutes(to: router)
    ImageConsentsController(env: env).addRoutes(to: router)
    return router
}

/// Keeps the database's connections alive for as long as the application runs. Graceful shutdown
/// reaches this service after the HTTP server has stopped, so no request loses its database.
struct DatabaseService: Service {
    let database: Database

    func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await database.run() }
            try? await gracefulShutdown()
            group.cancelAll()
        }
    }
}
