import Crypto
import Foundation

/// The tamper-evident chain over audit rows: each row stores SHA-256(previous hash ‖ canonical row),
/// so changing or deleting any row breaks every hash after it.
public enum AuditChain {
    /// The "previous hash" of the first row.
    public static let genesisHash = String(repeating: "0", count: 64)

    /// The hash of a row at position `sequence` following `previousHash`.
    public static func hash(previousHash: String, sequence: Int64, event: AuditEvent) -> String {
        var hasher = SHA256()
        hasher.update(data: Array(previousHash.utf8))
        hasher.update(data: canonicalBytes(sequence: sequence, event: event))
        return hasher.finalize().hexString
    }

    /// An unambiguous byte form of a row: each field length-prefixed, absent fields marked `-`.
    public static func canonical(sequence: Int64, event: AuditEvent) -> Data {
        Data(canonicalBytes(sequence: sequence, event: event))
    }

    static func canonicalBytes(sequence: Int64, event: AuditEvent) -> [UInt8] {
        var fields: [String?] = [
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
        // Rows written before events listed their entities hash as they always did.
        if !event.entities.isEmpty { fields.append(event.entities.joined(separator: "\n")) }
        var out: [UInt8] = []
        out.reserveCapacity(256)
        for field in fields {
            if let field {
                out += String(field.utf8.count).utf8
                out.append(UInt8(ascii: ":"))
                out += field.utf8
                out.append(UInt8(ascii: ";"))
            } else {
                out += [UInt8(ascii: "-"), UInt8(ascii: ";")]
            }
        }
        return out
    }
}
