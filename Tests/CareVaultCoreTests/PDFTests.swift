import CareVaultCore
import Foundation
import Testing

@Suite("PDF output")
struct PDFTests {
    static let pdftotext = ExternalTool.find(["/usr/bin/pdftotext"])
    static let pdfinfo = ExternalTool.find(["/usr/bin/pdfinfo"])

    @Test("The bundled DejaVu font maps Latin, Cyrillic and Greek to real glyphs with widths")
    func font() throws {
        let font = try #require(TrueTypeFont.dejaVuSans)
        #expect(font.postScriptName == "DejaVuSans")
        for scalar in "AzÄßДжΩ–".unicodeScalars {
            #expect(font.glyph(for: scalar) != 0, "no glyph for \(scalar)")
        }
        #expect(font.glyph(for: "\u{10FFFD}") == 0)
        #expect(font.width("iiii", size: 10) < font.width("MMMM", size: 10))
        #expect(throws: TrueTypeFont.ReadError.self) { try TrueTypeFont(data: Data([0, 1, 0, 0, 0, 0])) }
    }

    @Test("A long document pages with headers and 'Page X of Y'; pdftotext reads every line back, non-Latin names included")
    func document() throws {
        guard let pdftotext = Self.pdftotext, let pdfinfo = Self.pdfinfo else {
            #expect(!ExternalTool.required, "poppler-utils (pdftotext, pdfinfo) is required in CI")
            return
        }
        var document = try #require(PrintableDocument(title: "Lab results", patientName: "Зоя Дмитриева-Øster",
                                                      printed: Date(timeIntervalSince1970: 1_790_000_000)))
        document.heading("Lab results")
        document.paragraph(String(repeating: "A paragraph long enough to wrap across several lines of the page. ", count: 12))
        document.table(columns: [("Date", 1), ("Test", 3), ("Result", 1)],
                       rows: (1...120).map { ["2024-01-\(String(format: "%02d", $0 % 28 + 1))", "Test number \($0) with a fairly long name", "\($0).5"] })
        let pdf = document.pdf()
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("doc-\(UUID().uuidString).pdf")
        try pdf.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }

        let info = try ExternalTool.run(pdfinfo, [file.path])
        let pages = try #require(info.firstMatch(of: /Pages:\s+(\d+)/).flatMap { Int($0.output.1) })
        #expect(pages >= 3)
        #expect(info.contains(/Title:\s+Lab results – Зоя Дмитриева-Øster/))
        let text = try ExternalTool.run(pdftotext, ["-layout", file.path, "-"])
        for n in 1...pages { #expect(text.contains("Page \(n) of \(pages)")) }
        #expect(text.components(separatedBy: "Зоя Дмитриева-Øster").count - 1 == pages)  // the header on every page
        #expect(text.contains("Printed September 21, 2026"))
        for n in [1, 60, 120] { #expect(text.contains("Test number \(n) with a fairly long name")) }
        // The header row comes again on each page of the table.
        #expect(text.components(separatedBy: "Result").count - 1 >= pages - 1)
    }
}
