import CareVaultCore
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite("QR code")
struct QRCodeTests {
    static let zbarimg = ["/usr/bin/zbarimg", "/usr/local/bin/zbarimg"].first { FileManager.default.isExecutableFile(atPath: $0) }
    static var readerRequired: Bool { ProcessInfo.processInfo.environment["CI"] != nil }

    static let samples = [
        "hello",
        "otpauth://totp/CareVault:ana@example.org?secret=MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43UOV3HO6DZPIYTEMZUGU3DOOBZGA&issuer=CareVault",
        "otpauth://totp/CareVault:" + String(repeating: "very.long.name", count: 6) + "@example.org?secret=" + String(repeating: "ABCDEFGH", count: 8) + "&issuer=CareVault",
        String(repeating: "Zoë Okafor 0123456789 ", count: 20),
    ]

    @Test("Symbols have the right size, finder patterns and version", arguments: samples)
    func structure(text: String) throws {
        let code = try QRCode.encode(text)
        #expect(code.size == code.version * 4 + 17)
        for (x, y) in [(0, 0), (code.size - 7, 0), (0, code.size - 7)] {
            #expect(code.modules[y][x] && code.modules[y + 6][x + 6] && code.modules[y + 3][x + 3])
            #expect(!code.modules[y + 1][x + 1])
        }
        let svg = QRCodeSVG.render(code, title: "QR <code>")
        #expect(svg.hasPrefix("<svg"))
        #expect(svg.contains("<title id=\"qr-title\">QR &lt;code&gt;</title>"))
    }

    @Test("A real reader (zbarimg) decodes what we draw", arguments: samples)
    func decodes(text: String) throws {
        guard let zbarimg = Self.zbarimg else {
            #expect(!Self.readerRequired, "zbarimg (zbar-tools) is required in CI")
            return
        }
        let code = try QRCode.encode(text)
        let scale = 4, quiet = 4
        let side = (code.size + 2 * quiet) * scale
        var pgm = "P2\n\(side) \(side)\n1\n"
        for py in 0..<side {
            var row: [String] = []
            for px in 0..<side {
                let x = px / scale - quiet, y = py / scale - quiet
                let dark = x >= 0 && y >= 0 && x < code.size && y < code.size && code.modules[y][x]
                row.append(dark ? "0" : "1")
            }
            pgm += row.joined(separator: " ") + "\n"
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("qr-\(UUID().uuidString).pgm").path
        try pgm.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let output = try ExternalTool.run(zbarimg, ["--quiet", "--raw", path])
        #expect(output.trimmingCharacters(in: .newlines) == text)
    }

    @Test("Too much data is refused")
    func tooLong() {
        #expect(throws: QRCode.EncodingError.self) { try QRCode.encode(String(repeating: "x", count: 3000)) }
    }
}
