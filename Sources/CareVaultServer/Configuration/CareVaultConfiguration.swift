import CareVaultCore
import CareVaultStore
import Configuration
import Foundation

/// Everything the server needs to start, read once from one ``ConfigReader`` whose providers are,
/// in order: command-line flags, environment variables, defaults.
///
/// | key | environment variable | default |
/// |---|---|---|
/// | `carevault.dataDir` | `CAREVAULT_DATA_DIR` | `./data` |
/// | `database.url` | `DATABASE_URL` | (SQLite in the data folder) |
/// | `carevault.host`, `carevault.port` | `CAREVAULT_HOST`, `CAREVAULT_PORT` | `127.0.0.1`, `8080` |
/// | `carevault.publicUrl` | `CAREVAULT_PUBLIC_URL` | `http://HOST:PORT` (`https://` with TLS) |
/// | `carevault.tlsCertificate`, `carevault.tlsKey` | `CAREVAULT_TLS_CERTIFICATE`, `CAREVAULT_TLS_KEY` | none |
/// | `carevault.insecureHttp` | `CAREVAULT_INSECURE_HTTP` | `false` |
/// | `carevault.trustedProxies` | `CAREVAULT_TRUSTED_PROXIES` | none (comma-separated IPs) |
/// | `carevault.mailLogBodies` | `CAREVAULT_MAIL_LOG_BODIES` | `false` (development only) |
/// | `carevault.rateLimitPerMinute` | `CAREVAULT_RATE_LIMIT_PER_MINUTE` | `20` (posts per address to sign-in, registration and reset forms) |
/// | `carevault.blobStore` | `CAREVAULT_BLOB_STORE` | `files` (or `database`: uploaded files in the database) |
/// | `carevault.uploadLimitMb` | `CAREVAULT_UPLOAD_LIMIT_MB` | `100` (largest file per upload, in MiB) |
public struct CareVaultConfiguration: Sendable {
    public var host: String
    public var port: Int
    public var dataDirectory: URL
    public var databaseURL: String?
    /// The URL people use to reach CareVault; decides cookie security and the links in emails.
    public var publicURL: URL
    public var tlsCertificatePath: String?
    public var tlsKeyPath: String?
    /// Allows plain HTTP on a non-loopback address (only behind a TLS-terminating proxy on a private network).
    public var insecureHTTP: Bool
    /// Peers whose `X-Forwarded-For` and `X-Forwarded-Proto` headers are believed.
    public var trustedProxies: Set<String>
    /// Writes queued emails, including their single-use links, to the log. Development only.
    public var mailLogBodies: Bool
    /// bcrypt cost. Always ``PasswordHasher/defaultCost`` (12) when read from configuration; tests may lower it.
    public var passwordHashCost: UInt8
    /// Per-IP limit on sign-in, registration and reset requests.
    public var rateLimit: RateLimit
    /// Largest file accepted in one upload (bytes); a larger one is stopped while it streams.
    public var maxUploadBytes: Int
    /// Where uploaded files are kept (always encrypted).
    public var blobStore: BlobStoreKind
    /// The clinic's time zone: readings typed as a local date and time are stored with its offset, and pages show
    /// the instants CareVault records (sign-ins, uploads, reviews) in it.
    public var timeZone: TimeZone
    /// The clinic's rules for proxies: how long grants last, what a parent of an adolescent sees, which
    /// categories are confidential.
    public var proxyRules = ProxyRules()
    /// `pdftoppm`, for first-page previews of uploaded PDFs (run sandboxed); nil for no previews.
    public var pdfPreviewCommand: String?
    /// `gdk-pixbuf-thumbnailer`, for viewable copies of uploaded HEIC and TIFF images (run sandboxed); nil for none.
    public var imagePreviewCommand: String?
    /// Tests only (not settable outside the module): narrows every reader's visibility, standing in for
    /// the reader kinds to come (a proxy without some categories, an app limited to some types).
    var visibilityRestriction: (@Sendable (RecordVisibility) -> RecordVisibility)?

    public enum BlobStoreKind: String, Sendable {
        /// Files under the data folder (the default).
        case files
        /// Rows in the database, for several app servers without a shared disk.
        case database
    }

    public struct RateLimit: Sendable {
        public var requests: Int
        public var per: Duration
        public init(requests: Int, per: Duration) {
            self.requests = requests
            self.per = per
        }
    }

    public init(
        host: String = "127.0.0.1", port: Int = 8080, dataDirectory: URL, databaseURL: String? = nil,
        publicURL: URL? = nil, tlsCertificatePath: String? = nil, tlsKeyPath: String? = nil,
        insecureHTTP: Bool = false, trustedProxies: Set<String> = [], mailLogBodies: Bool = false,
        passwordHashCost: UInt8 = PasswordHasher.defaultCost,
        rateLimit: RateLimit = RateLimit(requests: 20, per: .seconds(60)),
        maxUploadBytes: Int = 100 << 20,
        blobStore: BlobStoreKind = .files,
        timeZone: TimeZone = .current,
        pdfPreviewCommand: String? = Self.installed("/usr/bin/pdftoppm"),
        imagePreviewCommand: String? = Self.installed("/usr/bin/gdk-pixbuf-thumbnailer")
    ) {
        self.host = host
        self.port = port
        self.dataDirectory = dataDirectory
        self.databaseURL = databaseURL
        let scheme = tlsCertificatePath != nil ? "https" : "http"
        let urlHost = host.contains(":") ? "[\(host)]" : host
        self.publicURL = publicURL ?? URL(string: "\(scheme)://\(urlHost):\(port)")!
        self.tlsCertificatePath = tlsCertificatePath
        self.tlsKeyPath = tlsKeyPath
        self.insecureHTTP = insecureHTTP
        self.trustedProxies = trustedProxies
        self.mailLogBodies = mailLogBodies
        self.passwordHashCost = passwordHashCost
        self.rateLimit = rateLimit
        self.maxUploadBytes = maxUploadBytes
        self.blobStore = blobStore
        self.timeZone = timeZone
        self.pdfPreviewCommand = pdfPreviewCommand
        self.imagePreviewCommand = imagePreviewCommand
    }

    /// `path` if a program is installed there.
    public static func installed(_ path: String) -> String? { FileManager.default.isExecutableFile(atPath: path) ? path : nil }

    /// Reads the configuration and checks it.
    public init(reader: ConfigReader) throws {
        let dataDir = reader.string(forKey: "carevault.dataDir", default: "./data")
        let publicURLText = reader.string(forKey: "carevault.publicUrl")
        var publicURL: URL?
        if let publicURLText {
            guard let url = URL(string: publicURLText), url.scheme == "http" || url.scheme == "https", url.host != nil else {
                throw ConfigurationError.invalid("CAREVAULT_PUBLIC_URL must be an http:// or https:// URL")
            }
            publicURL = url
        }
        let port = reader.int(forKey: "carevault.port", default: 8080)
        guard (1...65535).contains(port) else { throw ConfigurationError.invalid("--port must be between 1 and 65535") }
        let perMinute = reader.int(forKey: "carevault.rateLimitPerMinute", default: 20)
        guard perMinute >= 1 else { throw ConfigurationError.invalid("CAREVAULT_RATE_LIMIT_PER_MINUTE must be at least 1") }
        let uploadMB = reader.int(forKey: "carevault.uploadLimitMb", default: 100)
        guard (1...65_536).contains(uploadMB) else { throw ConfigurationError.invalid("CAREVAULT_UPLOAD_LIMIT_MB must be between 1 and 65536") }
        let blobStoreName = reader.string(forKey: "carevault.blobStore", default: "files")
        guard let blobStore = BlobStoreKind(rawValue: blobStoreName) else {
            throw ConfigurationError.invalid("CAREVAULT_BLOB_STORE must be files or database")
        }
        let zoneName = reader.string(forKey: "carevault.timeZone", default: TimeZone.current.identifier)
        guard let timeZone = TimeZone(identifier: zoneName) else {
            throw ConfigurationError.invalid("CAREVAULT_TIME_ZONE must be a time zone name such as Europe/Berlin or America/Chicago")
        }
        let pdfPreviewCommand = try Self.previewCommand(reader, key: "carevault.pdfPreview", variable: "CAREVAULT_PDF_PREVIEW",
                                                        defaultPath: "/usr/bin/pdftoppm", program: "pdftoppm (poppler-utils)")
        let imagePreviewCommand = try Self.previewCommand(reader, key: "carevault.imagePreview", variable: "CAREVAULT_IMAGE_PREVIEW",
                                                          defaultPath: "/usr/bin/gdk-pixbuf-thumbnailer",
                                                          program: "gdk-pixbuf-thumbnailer (libgdk-pixbuf2.0-bin)")
        let proxies = reader.string(forKey: "carevault.trustedProxies", default: "")
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        self.init(
            host: reader.string(forKey: "carevault.host", default: "127.0.0.1"),
            port: port,
            dataDirectory: URL(fileURLWithPath: dataDir, isDirectory: true).standardizedFileURL,
            databaseURL: reader.string(forKey: "database.url", isSecret: true),
            publicURL: publicURL,
            tlsCertificatePath: reader.string(forKey: "carevault.tlsCertificate"),
            tlsKeyPath: reader.string(forKey: "carevault.tlsKey"),
            insecureHTTP: reader.bool(forKey: "carevault.insecureHttp", default: false),
            trustedProxies: Set(proxies),
            mailLogBodies: reader.bool(forKey: "carevault.mailLogBodies", default: false),
            rateLimit: RateLimit(requests: perMinute, per: .seconds(60)),
            maxUploadBytes: uploadMB << 20,
            blobStore: blobStore,
            timeZone: timeZone,
            pdfPreviewCommand: pdfPreviewCommand,
            imagePreviewCommand: imagePreviewCommand
        )
        try validate()
    }

    /// A preview converter's setting: "auto" (the program at `defaultPath` if installed), "off", or the program's path.
    private static func previewCommand(_ reader: ConfigReader, key: ConfigKey, variable: String, defaultPath: String, program: String) throws -> String? {
        switch reader.string(forKey: key, default: "auto") {
        case "off": return nil
        case "auto": return installed(defaultPath)
        case let path:
            guard FileManager.default.isExecutableFile(atPath: path) else {
                throw ConfigurationError.invalid("\(variable) must be auto, off, or the path of \(program)")
            }
            return path
        }
    }

    /// `tmp/` in the data folder: files that live only for one request (bundles on the import page, a
    /// readings CSV being previewed, HEIC/TIFF spools). On the data disk, not in /tmp, which may be
    /// memory; emptied at start-up, since anything left there then is from a request that never finished.
    public var temporaryDirectory: URL { dataDirectory.appendingPathComponent("tmp", isDirectory: true) }

    /// Whether cookies are `Secure` with the `__Host-` prefix: whenever people reach CareVault over https.
    public var usesSecureCookies: Bool { publicURL.scheme == "https" }

    public var servesTLS: Bool { tlsCertificatePath != nil }

    /// Refuses settings that would expose sessions over plain HTTP, or half-configured TLS.
    public func validate() throws {
        if (tlsCertificatePath == nil) != (tlsKeyPath == nil) {
            throw ConfigurationError.invalid("Give both --tls-certificate and --tls-key, or neither.")
        }
        let loopback = ["127.0.0.1", "::1", "localhost"].contains(host) || host.hasPrefix("127.")
        if !loopback && !servesTLS && !insecureHTTP {
            throw ConfigurationError.invalid("""
                Refusing to serve plain HTTP on \(host). Give --tls-certificate and --tls-key, or put CareVault \
                behind a TLS proxy and pass --insecure-http (with CAREVAULT_PUBLIC_URL=https://…).
                """)
        }
    }

    public var databaseLocation: DatabaseLocation {
        get throws { try DatabaseLocation.resolve(databaseURL: databaseURL, dataDirectory: dataDirectory) }
    }
}

public enum ConfigurationError: Error, CustomStringConvertible {
    case invalid(String)
    public var description: String {
        switch self { case .invalid(let message): message }
    }
}
