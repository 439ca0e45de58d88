import Foundation
import Testing

/// `carevault` serving for real: HTTPS with a certificate, the listening rules, a clean shutdown.
@Suite("Serving")
struct ServeTests {
    @Test("Serves HTTPS itself with a certificate and key, with HSTS and Secure cookies; stops cleanly on SIGTERM")
    func https() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("carevault-tls-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Command.check("/usr/bin/openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "\(folder)/key.pem",
                                               "-out", "\(folder)/cert.pem", "-days", "1", "-subj", "/CN=localhost"])
        let port = try PostgresTestServer.freePort()
        var environment = ProcessInfo.processInfo.environment
        environment["CAREVAULT_DATA_DIR"] = folder + "/data"
        environment["DATABASE_URL"] = nil
        let pid = try Command.start(CLITests.binary, ["--port", String(port), "--tls-certificate", "\(folder)/cert.pem",
                                                      "--tls-key", "\(folder)/key.pem"], environment: environment, logPath: folder + "/server.log")
        var response = ""
        for _ in 0..<100 {
            let result = try Command.run("/usr/bin/curl", ["-sk", "-i", "https://127.0.0.1:\(port)/signin"])
            if result.status == 0 { response = result.output; break }
            try await Task.sleep(for: .milliseconds(200))
        }
        let plain = try Command.run("/usr/bin/curl", ["-s", "-m", "5", "http://127.0.0.1:\(port)/health"]).output
        let status = Command.stop(pid)
        let log = (try? String(contentsOfFile: folder + "/server.log", encoding: .utf8)) ?? ""

        #expect(response.hasPrefix("HTTP/1.1 200"), "no HTTPS answer; server log:\n\(log)")
        #expect(response.lowercased().contains("strict-transport-security: max-age=31536000; includesubdomains"))
        #expect(response.contains("__Host-cv_pre="))
        #expect(response.contains("Secure"))
        #expect(!plain.contains("\"status\":\"ok\""))
        #expect(log.contains("CareVault is running at https://127.0.0.1:\(port)"))
        #expect(log.contains("one-time link"))
        #expect(status == 0, "the server did not stop cleanly on SIGTERM; log:\n\(log)")
    }

    @Test("Refuses plain HTTP on a public address without --insecure-http")
    func refusesPublicHTTP() throws {
        let result = try Command.run(CLITests.binary, ["--host", "0.0.0.0"], environment: ["CAREVAULT_DATA_DIR": "/tmp/cv-refuse"])
        try? FileManager.default.removeItem(atPath: "/tmp/cv-refuse")
        #expect(result.status != 0)
        #expect(result.output.contains("Refusing to serve plain HTTP on 0.0.0.0"))
    }

    @Test("A preview converter that is not there is named in a clear error at start-up", arguments: [
        ("CAREVAULT_IMAGE_PREVIEW", "gdk-pixbuf-thumbnailer"), ("CAREVAULT_PDF_PREVIEW", "pdftoppm"),
    ])
    func missingConverter(variable: String, program: String) throws {
        let result = try Command.run(CLITests.binary, ["migrate"], environment: ["CAREVAULT_DATA_DIR": "/tmp/cv-no-converter", variable: "/nonexistent/\(program)"])
        try? FileManager.default.removeItem(atPath: "/tmp/cv-no-converter")
        #expect(result.status != 0)
        #expect(result.output.contains("\(variable) must be auto, off, or the path of \(program)"))
    }
}
