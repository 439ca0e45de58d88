import CareVaultCore
@testable import CareVaultServer
import Foundation
import Testing

/// Preview converters parse hostile files; one that is taken over must find nothing to steal and no
/// way out. Before the sandbox they ran as the server's user with resource limits only: able to read
/// the master key and the database, and to open sockets.
@Suite("Preview sandbox")
struct PreviewSandboxTests {
    /// A listening TCP socket on loopback (the door a converter must not find), and its port.
    static func listener() throws -> (fd: Int32, port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        guard fd >= 0, bound == 0, listen(fd, 4) == 0 else { throw POSIXError(.EADDRNOTAVAIL) }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }

    /// A stand-in converter: writes a PNG signature, then whether it could read `secret` and connect to `port`.
    static func standIn(in folder: URL, secret: URL, port: Int) throws -> String {
        let script = folder.appendingPathComponent("converter.sh")
        try """
            #!/bin/bash
            printf '\\x89PNG\\n'
            if key=$(cat '\(secret.path)' 2>/dev/null); then echo "key:$key"; else echo "key:denied"; fi
            if (exec 3<>/dev/tcp/127.0.0.1/\(port)) 2>/dev/null; then echo "net:open"; else echo "net:denied"; fi
            exit 0

            """.write(to: script, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: script.path)
        return script.path
    }

    @Test("A converter taken over cannot read the master key or open a socket; the same program outside the sandbox can")
    func standInConverter() async throws {
        guard SandboxedConverter.available("/usr/bin/true") else {
            #expect(ProcessInfo.processInfo.environment["CI"] == nil, "bubblewrap must work in CI (apt-get install bubblewrap)")
            return
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sandbox-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let key = folder.appendingPathComponent("master.key")
        try Data("secret-key-material".utf8).write(to: key)
        let (fd, port) = try Self.listener()
        defer { close(fd) }
        let converter = try Self.standIn(in: folder, secret: key, port: port)

        // Outside the sandbox (limits only, as before) the program reaches both: the test can tell.
        let bare = try #require(await SandboxedConverter.run([converter], input: []))
        #expect(String(decoding: bare.dropFirst(5), as: UTF8.self) == "key:secret-key-material\nnet:open\n")

        let sandboxed = try #require(await SandboxedConverter.run(SandboxedConverter.limited([converter]), input: Array("%PDF".utf8)))
        #expect(String(decoding: sandboxed.dropFirst(5), as: UTF8.self) == "key:denied\nnet:denied\n")
    }

    @Test("Without a working sandbox there are no previews, rather than unsandboxed ones")
    func noSandboxNoPreviews() {
        #expect(!SandboxedConverter.available("/usr/bin/true", bubblewrap: "/nonexistent/bwrap"))
        #expect(SandboxedConverter.limited(["/usr/bin/pdftoppm"]).contains(SandboxedConverter.bubblewrap))
    }
}
