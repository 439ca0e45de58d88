/// Patients' own files: blobs kept in the database (the store for several app servers without a
/// shared disk; files under the data folder are the default) and one row per upload.
struct M004PatientUploads: Migration {
    let number = 4
    let name = "patient-uploads"

    func statements(for t: ColumnTypes) -> [String] {
        [
            """
            CREATE TABLE blobs (
                id TEXT PRIMARY KEY,
                committed \(t.integer) NOT NULL DEFAULT 0,
                created_at \(t.bigint) NOT NULL
            )
            """,
            """
            CREATE TABLE blob_chunks (
                blob_id TEXT NOT NULL,
                seq \(t.integer) NOT NULL,
                bytes \(t.bytes) NOT NULL,
                PRIMARY KEY (blob_id, seq)
            )
            """,
            """
            CREATE TABLE uploads (
                id TEXT PRIMARY KEY,
                patient_id TEXT NOT NULL,
                blob_id TEXT NOT NULL,
                kind TEXT NOT NULL,
                file_name TEXT NOT NULL,
                title TEXT NOT NULL,
                category TEXT NOT NULL,
                service_date TEXT,
                size \(t.bigint) NOT NULL,
                removed_metadata TEXT NOT NULL,
                dicom_header TEXT,
                content_hash TEXT NOT NULL,
                document_id TEXT NOT NULL,
                uploaded_by TEXT,
                created_at \(t.bigint) NOT NULL,
                deleted_at \(t.bigint)
            )
            """,
            "CREATE INDEX uploads_patient ON uploads (patient_id, created_at)",
            // Identical files for one patient are stored once (deleted ones aside).
            "CREATE UNIQUE INDEX uploads_same_file ON uploads (patient_id, content_hash) WHERE deleted_at IS NULL",
        ]
    }
}
