/// Viewable copies (PNG) of uploads the browser cannot show as stored — HEIC, TIFF, a PDF's first
/// page — kept as encrypted blobs once drawn, one per stored file. Drawing one costs up to a second
/// and a half of CPU (a 12-megapixel HEIC); every view of the page drew it again.
struct M007UploadPreviews: Migration {
    let number = 7
    let name = "upload-previews"

    func statements(for t: ColumnTypes) -> [String] {
        [
            """
            CREATE TABLE upload_previews (
                source_blob_id TEXT PRIMARY KEY,
                preview_blob_id TEXT NOT NULL,
                created_at \(t.bigint) NOT NULL
            )
            """,
        ]
    }
}
