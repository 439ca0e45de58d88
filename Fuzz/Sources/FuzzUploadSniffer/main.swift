// UploadSniffer.kind(of:fileName:): what every upload is, from its first bytes and its name; and
// UploadKind.safeFileName(from:), the name a download is served with (it goes into a header).
import CareVaultCore
import FuzzSupport

let names = ["scan.dcm", "photo.JPG", "x.png", "a.tif", "b.heic", "letter.pdf", "notes.txt", "readings.csv", "noext", ".csv", "a.b.c.tiff", "x.dicom.exe"]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = bytes(data, size)
    if case .success(let kind) = UploadSniffer.kind(of: Array(input.prefix(UploadSniffer.prefixLength)), fileName: names[size % names.count]) {
        require(UploadKind.allCases.contains(kind), "unknown kind")
    }
    // The input as a name a browser might send (any UTF-8, control characters, quotes, dots).
    let name = String(decoding: input.prefix(512), as: UTF8.self)
    for kind in UploadKind.allCases {
        let safe = kind.safeFileName(from: name)
        let stem = safe.dropLast(kind.preferredExtension.count + 1)
        require(safe.hasSuffix("." + kind.preferredExtension), "\(safe) does not end in .\(kind.preferredExtension)")
        require(stem.count <= 80 && !stem.isEmpty, "stem of \(stem.count) characters")
        require(safe.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2D || $0 == 0x2E },
                "unsafe download name \(safe.debugDescription)")
    }
    return 0
}
