import ArgumentParser
import CareVaultServer
import Configuration
import Foundation
import Hummingbird
import Logging

/// Starts the server (the default command).
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Start the CareVault server (the default).")

    @OptionGroup var global: GlobalOptions

    @Option(help: "Address to listen on (env CAREVAULT_HOST; default 127.0.0.1).")
    var host: String?

    @Option(help: "Port to listen on (env CAREVAULT_PORT; default 8080).")
    var port: Int?

    @Option(name: .customLong("public-url"), help: "The URL people use, e.g. https://portal.example.org (env CAREVAULT_PUBLIC_URL).")
    var publicURL: String?

    @Option(name: .customLong("tls-certificate"), help: "PEM certificate chain, to serve HTTPS directly (env CAREVAULT_TLS_CERTIFICATE).")
    var tlsCertificate: String?

    @Option(name: .customLong("tls-key"), help: "PEM private key for --tls-certificate (env CAREVAULT_TLS_KEY).")
    var tlsKey: String?

    @Flag(name: .customLong("insecure-http"), help: "Allow plain HTTP on a non-loopback address (behind a TLS proxy only).")
    var insecureHTTP = false

    @Option(name: .customLong("trusted-proxies"), help: "Comma-separated proxy addresses whose X-Forwarded-For is believed (env CAREVAULT_TRUSTED_PROXIES).")
    var trustedProxies: String?

    func run() async throws {
        var values: [AbsoluteConfigKey: ConfigValue] = [:]
        func set(_ key: String, _ value: String?) {
            if let value { values[AbsoluteConfigKey(["carevault", key])] = ConfigValue(.string(value), isSecret: false) }
        }
        set("host", host)
        set("port", port.map(String.init))
        set("publicUrl", publicURL)
        set("tlsCertificate", tlsCertificate)
        set("tlsKey", tlsKey)
        set("trustedProxies", trustedProxies)
        if insecureHTTP { values[AbsoluteConfigKey(["carevault", "insecureHttp"])] = ConfigValue(.bool(true), isSecret: false) }
        if let port { values[AbsoluteConfigKey(["carevault", "port"])] = ConfigValue(.int(port), isSecret: false) }

        let configuration = try global.configuration(extra: values)
        let app = try await buildApplication(configuration: configuration, logger: Logger(label: "carevault")) { port in
            print("CareVault is running at \(configuration.publicURL.absoluteString) (listening on \(configuration.host):\(port)). Press Ctrl-C to stop.")
            fflush(nil)
        }
        try await app.runService()
    }
}
