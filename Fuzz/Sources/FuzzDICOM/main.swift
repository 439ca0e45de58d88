// DICOMHeader.read: the header of an uploaded scan (the server hands it the first megabyte); and
// DICOMDeidentifier: the whole file rewritten before it leaves in a share.
import CareVaultCore
import FuzzSupport

private let deidentifier = DICOMDeidentifier(secret: Array("fuzz".utf8), dates: .shift(days: -40))
/// The identifying elements a de-identified file may still carry: its (shifted) dates.
private let dates: Set<String> = ["(0008,0020)", "(0008,0021)", "(0008,0022)", "(0008,0023)"]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = bytes(data, size)
    if let clean = try? deidentifier.deidentify(input) {
        // What leaves must read back as DICOM, with nothing identifying but its shifted dates.
        do {
            let again = try DICOMHeader.read(clean)
            require(again.identifying.allSatisfy { dates.contains($0.tag) }, "identifying elements left after de-identification: \(again.identifying)")
        } catch {
            require(false, "the de-identified file does not read back: \(error)")
        }
        note("de-identified: \(clean.count) bytes")
    } else {
        note("not de-identified")
    }
    let header: DICOMHeader
    do { header = try DICOMHeader.read(input) } catch { note("refused: \(error)"); return 0 }
    note("read: \(header.identifying.count) identifying elements, modality \(header.modality ?? "-"), \(header.transferSyntax)")
    require(header.frames >= 0 && (header.rows ?? 0) >= 0 && (header.columns ?? 0) >= 0, "negative size in \(header)")
    return 0
}
