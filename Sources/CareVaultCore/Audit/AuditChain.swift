import Crypto
import Foundation

/// The tamper-evident chain over audit rows: each row stores SHA-256(previous hash ‖ canonical row),
/// so changing or deleting any row breaks every hash after it.
public enum AuditChain {
    /// The "previous hash" of the first row.
    public static let genesisHash = String(repeating: "0", count: 64)

    /// The hash of a row at position `sequence` following `previousHash`.
    public static func hash(previousHash: String, sequence: Int64, event: AuditEvent) -> String {
        var data = Data(previousHash.utf8)
        data.append(canonical(sequence: sequence, event: event))
        return SHA256.hash(data: data).hexString
    }

    /// An unambiguous byte form of a row: each field length-prefixed, absent fields marked `-`.
    public static func canonical(sequence: Int64, event: AuditEvent) -> Data {
        let fields: [String?] = [
            String(sequence),
            String(event.occurredAtMilliseconds),
            event.actorAccount?.description,
            event.actorRole?.rawValue,
            event.patient?.description,
            event.action.rawValue,
            event.resourceType,
            event.resourceID,
            event.basis,
            event.outcome.rawValue,
            event.clientIP,
            event.userAgent,
            event.subjectAccount?.description,
        ]
        var out = Data()
        for field in fields {
            if let field {
                out.append(Data("\(field.utf8.count):\(field);".utf8))
            } else {
                out.append(Data("-;".utf8))
            }
        }
        return out
    }
}
