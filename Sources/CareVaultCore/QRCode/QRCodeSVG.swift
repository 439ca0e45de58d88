import Foundation

/// Draws a ``QRCode`` as an accessible SVG (black on white, 4-module quiet zone, one path).
public enum QRCodeSVG {
    /// `id` names the SVG's title (unique on the page: a page may show two codes).
    public static func render(_ code: QRCode, title: String, id: String = "qr-title") -> String {
        let side = code.size + 8
        var path = ""
        for y in 0..<code.size {
            for x in 0..<code.size where code.modules[y][x] {
                path += "M\(x + 4),\(y + 4)h1v1h-1z"
            }
        }
        return """
            <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(side) \(side)" role="img" aria-labelledby="\(id)" shape-rendering="crispEdges">\
            <title id="\(id)">\(escape(title))</title><rect width="\(side)" height="\(side)" fill="#fff"/>\
            <path d="\(path)" fill="#000"/></svg>
            """
    }

    private static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
