import CareVaultCore
import Foundation
import Testing

@Suite("Audit chain")
struct AuditChainTests {
    @Test("Each hash depends on the previous hash and on every field")
    func hashing() {
        let event = AuditEvent(occurredAt: Date(timeIntervalSince1970: 1_700_000_000), actorAccount: AccountID(), actorRole: .patient,
                               action: .signIn, clientIP: "127.0.0.1", userAgent: "test")
        let first = AuditChain.hash(previousHash: AuditChain.genesisHash, sequence: 1, event: event)
        #expect(first.count == 64)
        #expect(AuditChain.hash(previousHash: AuditChain.genesisHash, sequence: 1, event: event) == first)
        #expect(AuditChain.hash(previousHash: first, sequence: 1, event: event) != first)
        #expect(AuditChain.hash(previousHash: AuditChain.genesisHash, sequence: 2, event: event) != first)
        var changed = event
        changed.outcome = .failure
        #expect(AuditChain.hash(previousHash: AuditChain.genesisHash, sequence: 1, event: changed) != first)
        // Field boundaries are unambiguous: moving text between fields changes the hash.
        var a = event, b = event
        a.clientIP = "1.2"; a.userAgent = "3"
        b.clientIP = "1"; b.userAgent = "2.3"
        #expect(AuditChain.canonical(sequence: 1, event: a) != AuditChain.canonical(sequence: 1, event: b))
    }

    /// Rows already stored must keep verifying: the hash is SHA-256 over the previous hash's text and the
    /// length-prefixed fields, independently computed here (Python's hashlib over the documented form).
    @Test("The hash of a known row is the documented one")
    func knownVector() {
        let event = AuditEvent(occurredAt: Date(timeIntervalSince1970: 1_700_000_000), actorAccount: nil, actorRole: .patient,
                               action: .signIn, clientIP: "127.0.0.1", userAgent: "test (Zoë)")
        #expect(AuditChain.hash(previousHash: AuditChain.genesisHash, sequence: 1, event: event) == "c031f5c1ea2971279a8ce5f6d2cb38592426db0a2031e288032d44a447b7a717")
    }
}
