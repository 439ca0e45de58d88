import Foundation

/// Writes a PDF 1.7 file from laid-out pages: one embedded TrueType font (Type 0, Identity-H, with a
/// ToUnicode map so text can be selected, searched and read aloud), text and lines only.
/// Small on purpose: what the health-record documents need, checked in tests with pdftotext and pdfinfo.
public struct PDFWriter {
    /// Something drawn on a page, in points from the bottom-left corner.
    public enum Mark: Sendable {
        case text(String, x: Double, y: Double, size: Double)
        case line(x1: Double, y1: Double, x2: Double, y2: Double, width: Double)
        case rectangle(x: Double, y: Double, width: Double, height: Double, gray: Double)
    }

    public let font: TrueTypeFont
    public let pageWidth: Double
    public let pageHeight: Double

    public init(font: TrueTypeFont, pageWidth: Double = 595.28, pageHeight: Double = 841.89) {
        self.font = font
        self.pageWidth = pageWidth
        self.pageHeight = pageHeight
    }

    /// The whole file: pages in order, with a document title and creation time in its metadata.
    public func write(pages: [[Mark]], title: String, created: Date) -> Data {
        var objects: [Data] = []
        func add(_ body: Data) -> Int { objects.append(body); return objects.count }
        func add(_ text: String) -> Int { add(Data(text.utf8)) }
        func stream(_ dictionary: String, _ content: Data) -> Data {
            var data = Data("<< \(dictionary) /Length \(content.count) >>\nstream\n".utf8)
            data.append(content)
            data.append(Data("\nendstream".utf8))
            return data
        }

        var used = Set<UInt16>()
        var usedText: [UInt16: Unicode.Scalar] = [:]
        var contents: [Data] = []
        for marks in pages {
            var ops = ""
            for mark in marks {
                switch mark {
                case let .text(text, x, y, size):
                    var hex = ""
                    for scalar in text.unicodeScalars {
                        let glyph = font.glyph(for: scalar)
                        used.insert(glyph)
                        if usedText[glyph] == nil && glyph != 0 { usedText[glyph] = scalar }
                        hex += String(format: "%04X", glyph)
                    }
                    ops += "BT /F1 \(Self.number(size)) Tf \(Self.number(x)) \(Self.number(y)) Td <\(hex)> Tj ET\n"
                case let .line(x1, y1, x2, y2, width):
                    ops += "\(Self.number(width)) w \(Self.number(x1)) \(Self.number(y1)) m \(Self.number(x2)) \(Self.number(y2)) l S\n"
                case let .rectangle(x, y, width, height, gray):
                    ops += "q \(Self.number(gray)) g \(Self.number(x)) \(Self.number(y)) \(Self.number(width)) \(Self.number(height)) re f Q\n"
                }
            }
            contents.append(Data(ops.utf8))
        }

        // 1 catalog, 2 page tree, 3 font, 4 CID font, 5 descriptor, 6 font file, 7 ToUnicode, 8 info; then pages.
        _ = add("<< /Type /Catalog /Pages 2 0 R >>")
        _ = add("")  // the page tree, filled in once the pages have numbers
        _ = add("<< /Type /Font /Subtype /Type0 /BaseFont /\(font.postScriptName) /Encoding /Identity-H /DescendantFonts [4 0 R] /ToUnicode 7 0 R >>")
        let widths = used.sorted().map { "\($0) [\(font.width(of: $0))]" }.joined(separator: " ")
        _ = add("""
            << /Type /Font /Subtype /CIDFontType2 /BaseFont /\(font.postScriptName) \
            /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> \
            /FontDescriptor 5 0 R /CIDToGIDMap /Identity /DW 600 /W [\(widths)] >>
            """)
        let scale = { (v: Int) in v * 1000 / font.unitsPerEm }
        _ = add("""
            << /Type /FontDescriptor /FontName /\(font.postScriptName) /Flags 32 \
            /FontBBox [\(font.boundingBox.map { String(scale($0)) }.joined(separator: " "))] /ItalicAngle 0 \
            /Ascent \(scale(font.ascent)) /Descent \(scale(font.descent)) /CapHeight \(scale(font.capHeight)) /StemV 80 /FontFile2 6 0 R >>
            """)
        _ = add(stream("/Length1 \(font.data.count)", font.data))
        _ = add(stream("", Data(Self.toUnicode(usedText).utf8)))
        _ = add("<< /Title \(Self.textString(title)) /Producer (CareVault) /CreationDate (D:\(Self.pdfDate(created))) >>")

        var kids: [String] = []
        for content in contents {
            let contentNumber = add(stream("", content))
            let page = add("""
                << /Type /Page /Parent 2 0 R /MediaBox [0 0 \(Self.number(pageWidth)) \(Self.number(pageHeight))] \
                /Resources << /Font << /F1 3 0 R >> >> /Contents \(contentNumber) 0 R >>
                """)
            kids.append("\(page) 0 R")
        }
        objects[1] = Data("<< /Type /Pages /Kids [\(kids.joined(separator: " "))] /Count \(kids.count) >>".utf8)

        var file = Data("%PDF-1.7\n%\u{E2}\u{E3}\u{CF}\u{D3}\n".utf8)
        var offsets: [Int] = []
        for (i, body) in objects.enumerated() {
            offsets.append(file.count)
            file.append(Data("\(i + 1) 0 obj\n".utf8))
            file.append(body)
            file.append(Data("\nendobj\n".utf8))
        }
        let xref = file.count
        var table = "xref\n0 \(objects.count + 1)\n0000000000 65535 f \n"
        for offset in offsets { table += String(format: "%010d 00000 n \n", offset) }
        table += "trailer\n<< /Size \(objects.count + 1) /Root 1 0 R /Info 8 0 R >>\nstartxref\n\(xref)\n%%EOF\n"
        file.append(Data(table.utf8))
        return file
    }

    /// The CMap that maps our glyph ids back to Unicode, so copied or extracted text is the real text.
    static func toUnicode(_ glyphs: [UInt16: Unicode.Scalar]) -> String {
        var text = """
            /CIDInit /ProcSet findresource begin 12 dict begin begincmap
            /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def
            /CMapName /Adobe-Identity-UCS def /CMapType 2 def
            1 begincodespacerange <0000> <FFFF> endcodespacerange

            """
        let entries = glyphs.sorted { $0.key < $1.key }
        for start in stride(from: 0, to: entries.count, by: 100) {
            let chunk = entries[start..<min(start + 100, entries.count)]
            text += "\(chunk.count) beginbfchar\n"
            for (glyph, scalar) in chunk {
                let units = String(scalar).utf16.map { String(format: "%04X", $0) }.joined()
                text += String(format: "<%04X>", glyph) + " <\(units)>\n"
            }
            text += "endbfchar\n"
        }
        return text + "endcmap CMapName currentdict /CMap defineresource pop end end\n"
    }

    /// A PDF text string: UTF-16BE with a byte-order mark, as hex, so any script survives.
    static func textString(_ text: String) -> String {
        "<FEFF" + text.utf16.map { String(format: "%04X", $0) }.joined() + ">"
    }

    static func pdfDate(_ date: Date) -> String {
        let c = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: date)
        return String(format: "%04d%02d%02d%02d%02d%02dZ", c.year ?? 1970, c.month ?? 1, c.day ?? 1, c.hour ?? 0, c.minute ?? 0, c.second ?? 0)
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.2f", value)
    }
}
