import CareVaultCore
import CareVaultStore
import Foundation
import NIOCore

/// A file stored in the vault: encrypted, committed to the blob store, not yet recorded.
struct VaultedFile: Sendable {
    let blobID: String
    let kind: UploadKind
    let size: Int
    /// SHA-256 of the plaintext, hex.
    let sha256: String
    /// What identifying metadata was taken out of an image ("EXIF", "XMP", …), sorted.
    let removedMetadata: [String]
    /// A DICOM file's header summary (nil for other kinds, or a header that cannot be read).
    let dicom: DICOMHeader?
}

/// Receives one uploaded file into the encrypted vault as it streams: the first bytes decide its
/// kind (a refused file is dropped before anything is kept), an image loses its identifying
/// metadata, then every byte is hashed, encrypted and handed to the blob store. Nothing but
/// ciphertext ever reaches storage.
///
/// JPEG and PNG are cleaned as they stream. TIFF and HEIF keep their metadata where offsets point,
/// so they go to an ``EncryptedSpool`` first, are scrubbed there, and then stream on.
final class VaultFileSink: UploadedFileSink {
    private let store: any BlobStore
    private let masterKey: MasterKey
    private var fileName = ""
    private var head: [UInt8] = []
    private var kind: UploadKind?
    private var encryptor: BlobEncryptor?
    private var stripper: ImageMetadataStripper?
    private var spool: EncryptedSpool?
    private var removedMetadata: Set<String> = []
    /// A DICOM file's first megabyte, where its header is.
    private var dicomHead: [UInt8] = []
    static let dicomHeadLimit = 1 << 20
    private var writer: (any BlobWriter)?
    /// The same writer where it takes sealed pieces as they are sealed (local files).
    private var immediate: (any ImmediateBlobWriter)?
    /// Ciphertext on its way to the store; one buffer reused for every chunk (a fresh one per chunk
    /// cost more than the encryption).
    private var sealed: [UInt8] = []
    private var blobID = ""
    private var committed = false

    /// Where a HEIC or TIFF is spooled while its metadata is scrubbed.
    private let spoolDirectory: URL

    init(store: any BlobStore, masterKey: MasterKey, spoolDirectory: URL) {
        self.store = store
        self.masterKey = masterKey
        self.spoolDirectory = spoolDirectory
    }

    func begin(fileName: String, declaredType: String?) async throws {
        self.fileName = fileName
    }

    func write(_ bytes: ByteBuffer) async throws {
        if kind == nil {
            head += bytes.readableBytesView
            if head.count >= UploadSniffer.prefixLength { try await decide() }
            return
        }
        try await pass(bytes)
    }

    func finish() async throws -> VaultedFile {
        if kind == nil { try await decide() }
        guard writer != nil, kind != nil else { throw UploadedFileRefused(reason: UploadRefusal.empty.description) }
        if var current = stripper {
            let tail: [UInt8]
            do { tail = try current.finish() } catch { throw UploadedFileRefused(reason: "is not a complete image") }
            stripper = nil
            try await pass(ByteBuffer(bytes: tail))
            stripper = current
            removedMetadata = current.removed
        }
        if let spool {
            try await drain(spool)
        }
        guard var encryptor, let writer, let kind else { throw UploadedFileRefused(reason: UploadRefusal.empty.description) }
        let dicom = kind == .dicom ? try dicomSummary() : nil
        let (rest, sha) = try encryptor.finish()
        try await writer.write(rest)
        try await writer.commit()
        committed = true
        return VaultedFile(blobID: blobID, kind: kind, size: encryptor.plaintextSize, sha256: sha,
                           removedMetadata: removedMetadata.sorted(),
                           dicom: dicom)
    }

    /// The DICOM header's summary, read before anything is committed: a header built to exhaust the
    /// reader (sequences nested thousands deep, millions of elements) refuses the file; one that is
    /// merely cut short or unusual keeps the file without a summary.
    private func dicomSummary() throws -> DICOMHeader? {
        do {
            return try DICOMHeader.read(dicomHead)
        } catch where error.isHostile {
            throw UploadedFileRefused(reason: "is a malformed DICOM file: it \(error)")
        } catch {
            return nil
        }
    }

    func abort() async {
        spool = nil
        if committed {
            try? await store.delete(id: blobID)
        } else {
            await writer?.abort()
        }
        writer = nil
    }

    /// Sniffs the first bytes; a refused file is never written anywhere.
    private func decide() async throws {
        switch UploadSniffer.kind(of: Array(head.prefix(UploadSniffer.prefixLength)), fileName: fileName) {
        case .failure(let refusal):
            throw UploadedFileRefused(reason: refusal.description)
        case .success(let kind):
            self.kind = kind
            stripper = ImageMetadataStripper(kind: kind)
            if kind == .tiff || kind == .heif { spool = try EncryptedSpool(directory: spoolDirectory) }
            blobID = UUID().uuidString.lowercased()
            encryptor = try BlobEncryptor(masterKey: masterKey, blobID: blobID)
            writer = try await store.create(id: blobID)
            immediate = writer as? any ImmediateBlobWriter
            let buffered = head
            head = []
            try await pass(ByteBuffer(bytes: buffered))
        }
    }

    /// Through the metadata stripper (images), then the encryptor, then the store.
    private func pass(_ bytes: ByteBuffer) async throws {
        // Mutated in place (not through a copy), or every chunk would copy the encryptor's buffer.
        guard encryptor != nil, let writer else { return }
        if let spool { return try spool.append(Array(bytes.readableBytesView)) }
        if kind == .dicom, dicomHead.count < Self.dicomHeadLimit { dicomHead += bytes.readableBytesView.prefix(Self.dicomHeadLimit - dicomHead.count) }
        if stripper != nil {
            let clean: [UInt8]
            do { clean = try stripper!.update(bytes.readableBytesView) } catch { throw UploadedFileRefused(reason: "is not a readable image") }
            try await seal(clean, to: writer)
        } else {
            try await seal(bytes.readableBytesView, to: writer)
        }
    }

    /// Encrypts and stores: pieces go straight from the encryptor to a writer that takes them at once;
    /// others get them gathered in one reused buffer.
    private func seal(_ bytes: some Collection<UInt8>, to writer: any BlobWriter) async throws {
        if let immediate {
            try encryptor!.update(bytes) { try immediate.append($0) }
            return
        }
        try encryptor!.update(bytes, appendingTo: &sealed)
        if !sealed.isEmpty {
            try await writer.write(sealed)
            sealed.removeAll(keepingCapacity: true)
        }
    }

    /// Scrubs the spooled TIFF or HEIF and streams the cleaned copy on to the encryptor and the store.
    private func drain(_ spool: EncryptedSpool) async throws {
        try spool.finishWriting()
        var edits: ImageEdits
        do {
            edits = kind == .tiff ? try TIFFMetadataScrubber.edits(for: spool) : try HEIFMetadataScrubber.edits(for: spool)
        } catch {
            throw UploadedFileRefused(reason: "is not a readable image")
        }
        removedMetadata = edits.removed
        self.spool = nil
        for start in stride(from: 0, to: spool.count, by: EncryptedSpool.chunkSize) {
            var chunk = try spool.bytes(in: start..<min(start + EncryptedSpool.chunkSize, spool.count))
            edits.apply(to: &chunk, at: start)
            try await pass(ByteBuffer(bytes: chunk))
        }
    }
}
