// swift-tools-version: 6.2
// libFuzzer targets for every parser of bytes that arrive from outside (uploads, imports, forms).
// Built and run by scripts/fuzz (which says why these flags), from the project's root:
//   swift build --package-path Fuzz --scratch-path .build-fuzz -c release \
//       --sanitize fuzzer -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
// Each target's seeds are in Corpus/<target>/ (made by Corpus/make-corpus.py).
import PackageDescription

let targets = [
    "FuzzDICOM",            // DICOMHeader.read
    "FuzzJPEG",             // ImageMetadataStripper(kind: .jpeg), streamed in chunks
    "FuzzPNG",              // ImageMetadataStripper(kind: .png), streamed in chunks
    "FuzzTIFF",             // TIFFMetadataScrubber.edits(for:) and ImageEdits.apply
    "FuzzHEIF",             // HEIFMetadataScrubber.edits(for:) and ImageEdits.apply
    "FuzzJSON",             // JSONParser.parse, scanBundle, JSONValue.jsonText
    "FuzzBundleImport",     // BundleImportPlan(source:) and (bundle:)
    "FuzzReadingsCSV",      // ReadingsCSV.rows
    "FuzzMultipart",        // MultipartStreamParser, streamed in chunks
    "FuzzUploadSniffer",    // UploadSniffer.kind(of:fileName:), UploadKind.safeFileName(from:)
]

let package = Package(
    name: "carevault-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "carevault", path: "..")],
    targets: [
        .target(name: "FuzzSupport"),
    ] + targets.map { name in
        .executableTarget(
            name: name,
            dependencies: [
                "FuzzSupport",
                .product(name: name == "FuzzMultipart" ? "CareVaultMultipart" : "CareVaultCore", package: "carevault"),
            ]
        )
    }
)
