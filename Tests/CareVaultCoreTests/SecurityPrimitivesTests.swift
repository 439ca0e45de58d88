import CareVaultCore
import Foundation
import Testing

@Suite("Passwords, codes and keys")
struct SecurityPrimitivesTests {
    let policy = PasswordPolicy()

    @Test("Password rules: length in code points, breached list, no composition rules")
    func passwordRules() throws {
        #expect(BreachedPasswordList.bundled.count >= 10_000)
        #expect(throws: FieldError.self) { try policy.validate("short") }
        #expect(throws: FieldError.self) { try policy.validate("password1234") }        // breached
        #expect(throws: FieldError.self) { try policy.validate("PASSWORD1234") }        // case-insensitive
        #expect(throws: FieldError.self) { try policy.validate("aaaaaaaaaaaaaaaa") }
        #expect(throws: FieldError.self) { try policy.validate(String(repeating: "xy", count: 129)) }
        #expect(throws: FieldError.self) { try policy.validate("me@example.org", context: ["me@example.org"]) }
        try policy.validate("correct horse battery staple")                              // no digits or symbols needed
        try policy.validate(String(repeating: "long passphrase ", count: 8))            // 128 characters allowed
        try policy.validate("日本語のパスワードです長い")                                   // 13 code points, any script
        do {
            try policy.validate("short")
        } catch {
            #expect(error.field == "password")
            #expect(error.message.contains("12 characters"))
        }
    }

    @Test("NFKC: the same password typed differently verifies; long passwords are not truncated")
    func hashing() {
        let hasher = PasswordHasher(cost: 4)
        let composed = "caf\u{00E9} au lait please"
        let decomposed = "cafe\u{0301} au lait please"
        let hash = hasher.hash(composed)
        #expect(hash.hasPrefix("bcrypt-sha256$4$"))
        #expect(hasher.verify(decomposed, against: hash))
        #expect(!hasher.verify("cafe au lait please", against: hash))

        let prefix = String(repeating: "a", count: 80)
        let longHash = hasher.hash(prefix + "1")
        #expect(hasher.verify(prefix + "1", against: longHash))
        #expect(!hasher.verify(prefix + "2", against: longHash))  // plain bcrypt would accept this

        #expect(!hasher.needsUpgrade(hash))
        #expect(PasswordHasher(cost: 5).needsUpgrade(hash))
        #expect(hasher.needsUpgrade("$2b$04$legacy"))
        #expect(!hasher.verify(composed, against: "garbage"))
    }

    @Test("Activation and recovery codes: forgiving input, stored as a hash keyed by the master key")
    func humanCodes() throws {
        let code = HumanCode.activationCode()
        #expect(code.display.count == 14)
        #expect(code.display.split(separator: "-").count == 3)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("codes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let hasher = CodeHasher(masterKey: try MasterKey.loadOrCreate(at: folder.appendingPathComponent("a.key")))
        let other = CodeHasher(masterKey: try MasterKey.loadOrCreate(at: folder.appendingPathComponent("b.key")))
        let stored = hasher.hash(code.display)
        #expect(hasher.hash(code.display.lowercased().replacingOccurrences(of: "-", with: " ")) == stored)
        #expect(HumanCode.normalize("o0-il") == "0011")
        #expect(stored.hasPrefix(CodeHasher.prefix) && !stored.contains(HumanCode.normalize(code.display)))
        // Without the key, the database alone does not let anyone try codes: neither plain SHA-256 nor another key gives it.
        #expect(stored != SecretToken.hash(HumanCode.normalize(code.display)) && other.hash(code.display) != stored)
        // What was stored unkeyed before re-keys to what the code now hashes to.
        #expect(hasher.rekey(SecretToken.hash(HumanCode.normalize(code.display))) == stored)
        #expect(Set((0..<200).map { _ in HumanCode.recoveryCode().display }).count == 200)
    }

    @Test("Lock-out grows: 1, 5, 15, 60 minutes")
    func lockout() {
        let policy = LockoutPolicy()
        let now = Date(timeIntervalSince1970: 1_000_000)
        var state = LockoutPolicy.State(failedAttempts: 0, lockouts: 0, lockedUntil: nil)
        var durations: [TimeInterval] = []
        for _ in 0..<5 {
            for _ in 0..<LockoutPolicy.threshold { state = policy.afterFailure(state, at: now) }
            durations.append(state.lockedUntil!.timeIntervalSince(now))
        }
        #expect(durations == [60, 300, 900, 3600, 3600])
        #expect(state.isLocked(at: now))
        #expect(!state.isLocked(at: now.addingTimeInterval(3601)))
        #expect(LockoutPolicy.message(lockedUntil: now.addingTimeInterval(61), now: now).contains("2 minutes"))
    }

    @Test("Master key: created 0600, sealed data bound to its context, tampering detected")
    func masterKey() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mk-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: path) }
        let key = try MasterKey.loadOrCreate(at: path)
        let again = try MasterKey.loadOrCreate(at: path)
        #expect((try FileManager.default.attributesOfItem(atPath: path.path)[.posixPermissions] as? Int) == 0o600)
        let sealed = try key.seal(Data("secret".utf8), context: "totp:a")
        #expect(try again.open(sealed, context: "totp:a") == Data("secret".utf8))
        #expect(throws: (any Error).self) { try key.open(sealed, context: "totp:b") }
        var tampered = sealed
        tampered[tampered.count - 1] ^= 1
        #expect(throws: (any Error).self) { try key.open(tampered, context: "totp:a") }
        try Data([1, 2, 3]).write(to: path)
        #expect(throws: MasterKeyError.self) { try MasterKey.loadOrCreate(at: path) }
    }

    @Test("Inputs: dates, emails, patient IDs")
    func inputs() throws {
        #expect(try Inputs.birthDate("2000-02-29").description == "2000-02-29")
        #expect(throws: FieldError.self) { try Inputs.birthDate("2001-02-29") }
        #expect(throws: FieldError.self) { try Inputs.birthDate("3000-01-01") }
        #expect(throws: FieldError.self) { try Inputs.birthDate("01/02/1990") }
        #expect(try Inputs.email("  Ana@Example.ORG ") == "ana@example.org")
        #expect(throws: FieldError.self) { try Inputs.email("ana@example") }
        #expect(throws: FieldError.self) { try Inputs.email("<ana>@example.org") }
        #expect(try Inputs.mrn(" A-1.2_3 ") == "A-1.2_3")
        #expect(throws: FieldError.self) { try Inputs.mrn("A 1") }
        #expect(try Inputs.oneTimeCode("123 456") == "123456")
        #expect(throws: FieldError.self) { try Inputs.oneTimeCode("12345a") }
    }
}
