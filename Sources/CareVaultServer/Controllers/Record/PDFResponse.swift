import Foundation
import Hummingbird

/// A generated PDF as a download.
enum PDFResponse {
    static func make(_ pdf: Data, fileName: String) -> Response {
        Response(status: .ok, headers: [
            .contentType: "application/pdf",
            .contentDisposition: "attachment; filename=\"\(fileName)\"",
        ], body: .init(byteBuffer: ByteBuffer(bytes: pdf)))
    }
}
