// DICOMHeader.read: the header of an uploaded scan (the server hands it the first megabyte).
import CareVaultCore
import FuzzSupport

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = bytes(data, size)
    let header: DICOMHeader
    do { header = try DICOMHeader.read(input) } catch { note("refused: \(error)"); return 0 }
    note("read: \(header.identifying.count) identifying elements, modality \(header.modality ?? "-"), \(header.transferSyntax)")
    require(header.frames >= 0 && (header.rows ?? 0) >= 0 && (header.columns ?? 0) >= 0, "negative size in \(header)")
    return 0
}
