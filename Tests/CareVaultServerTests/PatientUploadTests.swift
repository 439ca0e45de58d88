import CareVaultCore
@testable import CareVaultServer
import CareVaultStore
import Foundation
import SQLKit
import Testing

/// Every storage combination the vault supports: each database with files on disk, and each with blobs in the database.
let uploadStores: [(DatabaseKind, CareVaultConfiguration.BlobStoreKind)] = testDatabases.flatMap { [($0, .files), ($0, .database)] }

@Suite("Patient uploads")
struct PatientUploadTests {
    static let coreFixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("CareVaultCoreTests/Fixtures/uploads")
    static func fixture(_ name: String) throws -> [UInt8] {
        let url = name == "crazyones.pdf" ? RecordImportTests.fixtures.appendingPathComponent(name) : coreFixtures.appendingPathComponent(name)
        return Array(try Data(contentsOf: url))
    }

    static func run(_ kind: DatabaseKind, _ store: CareVaultConfiguration.BlobStoreKind, limit: Int = 100 << 20,
                    _ body: @Sendable @escaping (Browser, AppEnvironment, Patient) async throws -> Void) async throws {
        try await TestApp.run(kind, configure: { $0.blobStore = store; $0.maxUploadBytes = limit }) { client, env in
            let browser = Browser(client)
            let (patient, _) = try await Flows.signedInPatient(browser, env)
            _ = try await browser.get(Paths.uploads(patient.id.description))
            try await body(browser, env, patient)
        }
    }

    /// Every stored byte, whichever store holds it.
    static func storedBytes(_ env: AppEnvironment) async throws -> [[UInt8]] {
        var all: [[UInt8]] = []
        for id in try await env.blobStore.allIDs() {
            var bytes: [UInt8] = []
            try await env.blobStore.read(id: id) { bytes += $0 }
            all.append(bytes)
        }
        return all
    }

    static func rowCount(_ env: AppEnvironment, _ table: String) async throws -> Int64 {
        try await env.database.read { try await $0.raw("SELECT COUNT(*) AS n FROM \(unsafeRaw: table)").first()!.decode(column: "n", as: Int64.self) }
    }

    @Test("PDF, photo, DICOM, CSV and text go in together, encrypted; they come back byte for byte and are in the record", arguments: uploadStores)
    func accepted(kind: DatabaseKind, store: CareVaultConfiguration.BlobStoreKind) async throws {
        try await Self.run(kind, store) { browser, env, patient in
            let pdf = try Self.fixture("crazyones.pdf"), photo = try Self.fixture("derived_r_canon_gps.jpg"), dicom = try Self.fixture("CT_small.dcm")
            let csv = Array("date,measure,value,unit\n2026-11-01,systolic,128,mmHg\n".utf8)
            let text = Array("Questions for Dr. Rivera:\n- Is the new dose right?\n".utf8)
            let page = try await browser.postMultipart(Paths.uploads(patient.id.description),
                fields: [("title", "From City Lab"), ("category", "lab-report"), ("serviceDate", "2026-10-30")],
                files: [.init(name: "report.pdf", type: "application/pdf", bytes: pdf), .init(name: "rash.jpg", type: "image/jpeg", bytes: photo),
                        .init(name: "CT_small.dcm", bytes: dicom), .init(name: "bp.csv", type: "text/csv", bytes: csv),
                        .init(name: "questions.txt", type: "text/plain", bytes: text)])
            #expect(page.status == .ok, "\(page.body)")
            #expect(page.body.contains("report.pdf was added to your record as “From City Lab (1)”"))
            #expect(page.body.contains("DICOM image"))
            #expect(page.body.contains("128 × 128, 1 frame"))
            #expect(page.body.contains("Study date: January 19, 2004"))
            #expect(page.body.contains("October 30, 2026"), "the date of service reads in words")
            #expect(page.body.contains("Patient&#39;s name: CompressedSamples CT1") || page.body.contains("Patient's name: CompressedSamples CT1"))
            #expect(page.body.contains("They will be removed from any copy you share."))
            #expect(page.body.contains("rash.jpg was added to your record as “From City Lab (2)”. Hidden details that could identify you or where it was taken (EXIF) were removed from the stored copy."))
            let uploads = try await env.database.read { try await UploadRepository($0).list(patient: patient.id, visibility: .wholeRecord, limit: 10, offset: 0) }
            #expect(uploads.count == 5)
            #expect(Set(uploads.map(\.kind)) == [.pdf, .jpeg, .dicom, .csv, .text])

            // Stored encrypted: no run of the originals appears in what the store holds.
            let stored = try await Self.storedBytes(env)
            #expect(stored.count == 5)
            for original in [pdf, photo, dicom] {
                for blob in stored { #expect(blob.firstRange(of: original[200..<264]) == nil, "plaintext found in the store") }
            }

            let originals = ["report.pdf": pdf, "CT_small.dcm": dicom, "bp.csv": csv, "questions.txt": text]
            for upload in uploads {
                let file = try await browser.get(Paths.uploadFile(patient.id.description, upload.id))
                #expect(file.status == .ok)
                if upload.kind == .jpeg {
                    // The photo comes back without what identifies the patient or the place (exiftool checks this in depth).
                    #expect(file.bytes.starts(with: [0xFF, 0xD8]) && file.bytes.count < photo.count)
                    #expect(file.bytes.firstRange(of: Array("Test Patient Jane Doe".utf8)) == nil)
                    #expect(file.bytes.firstRange(of: Array("rash on left forearm".utf8)) == nil)
                    #expect(upload.removedMetadata == ["EXIF"])
                    continue
                }
                let same = file.bytes == originals[upload.fileName]
                #expect(same, "\(upload.fileName) did not come back as uploaded")
                #expect(file.headers[.contentType] == upload.kind.contentType)
            }

            // In the record: a DocumentReference pointing at its Binary, with a Provenance naming the patient.
            let document = try await browser.get("/fhir/DocumentReference/\(uploads[0].documentID)")
            #expect(document.status == .ok)
            #expect(document.body.contains(#""url":"Binary/\#(uploads[0].id)""#))
            #expect(document.body.contains(#""author":[{"reference":"Patient/\#(patient.id)"}]"#))
            let documents = try await browser.get(Paths.recordSection(patient.id.description, .documents))
            #expect(documents.body.contains("From City Lab"))
            #expect(try await Self.rowCount(env, "audit_log WHERE action = 'record.uploaded'") == 5)
        }
    }

    @Test("Refused: a PDF named .jpg, a web page named .pdf, an empty file, a program — each named, none stored", arguments: uploadStores)
    func refused(kind: DatabaseKind, store: CareVaultConfiguration.BlobStoreKind) async throws {
        try await Self.run(kind, store) { browser, env, patient in
            let page = try await browser.postMultipart(Paths.uploads(patient.id.description), files: [
                .init(name: "photo.jpg", type: "image/jpeg", bytes: try Self.fixture("crazyones.pdf")),
                .init(name: "report.pdf", type: "application/pdf", bytes: Array("<!DOCTYPE html><html><body>hi</body></html>".utf8)),
                .init(name: "empty.pdf", type: "application/pdf", bytes: []),
                .init(name: "setup.pdf", type: "application/pdf", bytes: [0x4D, 0x5A, 0x90, 0x00, 0x03]),
            ])
            #expect(page.status == .unprocessableContent)
            #expect(page.body.contains("photo.jpg is a PDF document but its name ends in .jpg"))
            #expect(page.body.contains("report.pdf is a web page, which CareVault does not accept"))
            #expect(page.body.contains("empty.pdf is empty"))
            #expect(page.body.contains("setup.pdf is a Windows program"))
            #expect(try await Self.storedBytes(env).isEmpty)
            #expect(try await Self.rowCount(env, "uploads") == 0)
            #expect(try await Self.rowCount(env, "audit_log WHERE action = 'record.upload-refused'") == 4)
        }
    }

    @Test("Too large is stopped mid-stream; an interrupted upload and a missing token store nothing", arguments: uploadStores)
    func stopped(kind: DatabaseKind, store: CareVaultConfiguration.BlobStoreKind) async throws {
        try await Self.run(kind, store, limit: 200 * 1024) { browser, env, patient in
            let big = Array(try Self.fixture("crazyones.pdf").prefix(1000)) + [UInt8](repeating: 0x20, count: 300 * 1024)
            let tooLarge = try await browser.postMultipart(Paths.uploads(patient.id.description), files: [
                .init(name: "small.pdf", bytes: try Self.fixture("crazyones.pdf")), .init(name: "big.pdf", bytes: big)])
            #expect(tooLarge.status == .contentTooLarge)
            #expect(tooLarge.body.contains("big.pdf is larger than the 200 KB limit"))
            let cut = try await browser.postMultipart(Paths.uploads(patient.id.description), files: [
                .init(name: "report.pdf", bytes: try Self.fixture("crazyones.pdf"))], cut: 300)
            #expect(cut.status == .badRequest)
            let forged = try await browser.postMultipart(Paths.uploads(patient.id.description), files: [
                .init(name: "report.pdf", bytes: try Self.fixture("crazyones.pdf"))], csrf: "forged")
            #expect(forged.status == .forbidden)
            #expect(try await Self.storedBytes(env).isEmpty, "an earlier file of a refused request was kept")
            #expect(try await Self.rowCount(env, "uploads") == 0)
            #expect(try await Self.rowCount(env, "fhir_resources WHERE resource_type = 'DocumentReference'") == 0)
        }
    }

    @Test("The same file twice is stored once; a tampered file is detected on read; another patient's upload is 404", arguments: uploadStores)
    func integrity(kind: DatabaseKind, store: CareVaultConfiguration.BlobStoreKind) async throws {
        try await Self.run(kind, store) { browser, env, patient in
            let pdf = try Self.fixture("crazyones.pdf")
            _ = try await browser.postMultipart(Paths.uploads(patient.id.description), files: [.init(name: "a.pdf", bytes: pdf)])
            let again = try await browser.postMultipart(Paths.uploads(patient.id.description), files: [.init(name: "b.pdf", bytes: pdf)])
            #expect(again.body.contains("b.pdf is already in your files as “a”"))
            #expect(try await Self.storedBytes(env).count == 1)
            let upload = try #require(try await env.database.read { try await UploadRepository($0).list(patient: patient.id, visibility: .wholeRecord, limit: 5, offset: 0) }.first)

            let other = Browser(browser.client)
            let (otherPatient, _) = try await Flows.signedInPatient(other, env)
            #expect(try await other.get(Paths.uploadFile(patient.id.description, upload.id)).status == .notFound)
            #expect(try await other.get(Paths.uploadFile(otherPatient.id.description, upload.id)).status == .notFound)
            #expect(try await other.get(Paths.uploads(patient.id.description)).status == .notFound)

            // Flip one byte of the stored ciphertext, wherever it lives.
            try await Self.corrupt(env, blobID: upload.blobID)
            // The server ends the response at the first chunk that fails (so this is the last request on the connection).
            let read = try? await browser.get(Paths.uploadFile(patient.id.description, upload.id))
            // Detected: the response breaks off before the altered chunk (here the only one), never a whole file.
            let servedWhole = read.map { $0.bytes.count >= pdf.count } ?? false
            #expect(!servedWhole, "a tampered file was served in full")
        }
    }

    @Test("Start-up repair removes blobs no upload refers to (an interrupted request) once they are an hour old", arguments: uploadStores)
    func repair(kind: DatabaseKind, store: CareVaultConfiguration.BlobStoreKind) async throws {
        try await Self.run(kind, store) { browser, env, patient in
            _ = try await browser.postMultipart(Paths.uploads(patient.id.description), files: [.init(name: "a.pdf", bytes: try Self.fixture("crazyones.pdf"))])
            for id in ["00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000002"] {
                let writer = try await env.blobStore.create(id: id)
                try await writer.write(Array("sealed bytes".utf8))
                try await writer.commit()
            }
            try await Self.age(env, blobID: "00000000-0000-4000-8000-000000000001")
            let halfWritten = try await env.blobStore.create(id: "00000000-0000-4000-8000-000000000003")
            try await halfWritten.write([1, 2, 3])
            try await BlobRepair(env: env).run()
            let left = Set(try await env.blobStore.allIDs())
            #expect(left.count == 2)  // the real upload and the young orphan
            #expect(left.contains("00000000-0000-4000-8000-000000000002"))
            #expect(!left.contains("00000000-0000-4000-8000-000000000001"))
        }
    }

    static func corrupt(_ env: AppEnvironment, blobID: String) async throws {
        switch env.configuration.blobStore {
        case .files:
            let url = env.configuration.dataDirectory.appendingPathComponent("blobs/\(blobID.prefix(2))/\(blobID)")
            var bytes = try Data(contentsOf: url)
            bytes[bytes.count - 40] ^= 0x01
            try bytes.write(to: url)
        case .database:
            try await env.database.write { sql in
                let row = try #require(try await sql.raw("SELECT bytes FROM blob_chunks WHERE blob_id = \(bind: blobID) AND seq = 0").first())
                var bytes = try row.decode(column: "bytes", as: Data.self)
                bytes[bytes.count - 40] ^= 0x01
                try await sql.raw("UPDATE blob_chunks SET bytes = \(bind: bytes) WHERE blob_id = \(bind: blobID) AND seq = 0").run()
            }
        }
    }

    static func age(_ env: AppEnvironment, blobID: String) async throws {
        let old = Date().addingTimeInterval(-2 * 3600)
        switch env.configuration.blobStore {
        case .files:
            try FileManager.default.setAttributes([.modificationDate: old],
                                                  ofItemAtPath: env.configuration.dataDirectory.appendingPathComponent("blobs/\(blobID.prefix(2))/\(blobID)").path)
        case .database:
            try await env.database.write { try await $0.raw("UPDATE blobs SET created_at = \(bind: Clock.milliseconds(old)) WHERE id = \(bind: blobID)").run() }
        }
    }
}

extension PatientUploadTests {
    @Test("An API client (Accept: application/json) gets 201 with each file's DocumentReference and Binary, and problem+json naming the field or the file when nothing is stored",
          arguments: testDatabases)
    func apiClient(kind: DatabaseKind) async throws {
        try await Self.run(kind, .files) { browser, env, patient in
            let id = patient.id.description
            browser.accept = "application/json"
            let photo = try Self.fixture("derived_r_canon_gps.jpg")
            let created = try await browser.postMultipart(Paths.uploads(id), files: [
                .init(name: "rash.jpg", type: "image/jpeg", bytes: photo), .init(name: "setup.pdf", bytes: [0x4D, 0x5A, 0x90, 0x00])])
            #expect(created.status == .created && created.headers[.contentType] == "application/json")
            let json = try JSONParser.parse(created.body)
            let stored = try #require(json["stored"]?.arrayValue?.first)
            let upload = try #require(try await env.database.read { try await UploadRepository($0).list(patient: patient.id, visibility: .wholeRecord, limit: 5, offset: 0) }.first)
            #expect(stored["documentReference"]?.stringValue == "DocumentReference/\(upload.documentID)")
            #expect(stored["binary"]?.stringValue == "Binary/\(upload.id)" && stored["contentType"]?.stringValue == "image/jpeg")
            #expect(stored["removedMetadata"]?.arrayValue?.compactMap(\.stringValue) == ["EXIF"])
            #expect(json["refused"]?.arrayValue?.first?["reason"]?.stringValue == "setup.pdf is a Windows program, which CareVault does not accept.")

            let again = try await browser.postMultipart(Paths.uploads(id), files: [.init(name: "again.jpg", type: "image/jpeg", bytes: photo)])
            let againJSON = try JSONParser.parse(again.body)
            #expect(again.status == .ok && againJSON["alreadyStored"]?.arrayValue?.count == 1)

            let nothing = try await browser.postMultipart(Paths.uploads(id), files: [.init(name: "empty.pdf", bytes: [])])
            #expect(nothing.status == .unprocessableContent && nothing.headers[.contentType] == "application/problem+json")
            #expect(nothing.body.contains("empty.pdf is empty"))
            let noFiles = try await browser.postMultipart(Paths.uploads(id), files: [])
            #expect(noFiles.status == .badRequest && noFiles.headers[.contentType] == "application/problem+json")
            let noFilesJSON = try JSONParser.parse(noFiles.body)
            #expect(noFilesJSON["errors"]?.arrayValue?.first?["field"]?.stringValue == "files")
            let tooLate = try await browser.postMultipart(Paths.uploads(id), files: [.init(name: "r.pdf", bytes: try Self.fixture("crazyones.pdf"))], cut: 40)
            #expect(tooLate.status == .badRequest && tooLate.headers[.contentType] == "application/problem+json")
        }
    }
}
