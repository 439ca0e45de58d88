import CareVaultCore
@testable import CareVaultServer
import CareVaultStore
import Foundation
import HummingbirdOTP
import Testing

/// The steps tests repeat, done over HTTP the way a person would.
enum Flows {
    static let password = "correct horse battery staple"

    /// Registers a patient record (as staff would, through the service) and returns its code.
    static func patientRecord(_ env: AppEnvironment, mrn: String = "MRN-\(Int.random(in: 10000...99999))",
                              given: String = "Ana", family: String = "Lopez", birthDate: String = "1984-02-29",
                              email: String? = nil) async throws -> (Patient, String) {
        let (patient, code) = try await AccountService(env: env).createPatient(
            mrn: mrn, givenName: given, familyName: family, birthDate: birthDate, email: email, organization: nil,
            by: nil, info: .commandLine)
        return (patient, code.display)
    }

    /// A signed-in patient who has uploaded one fixture file from the uploads page, and that upload.
    static func patientWithUpload(_ browser: Browser, _ env: AppEnvironment, fileName: String, fixture: String,
                                  fields: [(String, String)] = []) async throws -> (Patient, PatientUpload) {
        let (patient, _) = try await signedInPatient(browser, env)
        let id = patient.id.description
        _ = try await browser.get(Paths.uploads(id))
        _ = try await browser.postMultipart(Paths.uploads(id), fields: fields, files: [.init(name: fileName, bytes: try PatientUploadTests.fixture(fixture))])
        let upload = try #require(try await env.database.read { try await UploadRepository($0).list(patient: patient.id, visibility: .wholeRecord, limit: 1, offset: 0) }.first)
        return (patient, upload)
    }

    /// A patient who registered with their activation code and is signed in (no second factor yet).
    static func signedInPatient(_ browser: Browser, _ env: AppEnvironment, email: String = "patient\(Int.random(in: 1...999_999))@example.org") async throws -> (Patient, String) {
        let (patient, code) = try await patientRecord(env)
        try await register(browser, code: code, birthDate: patient.birthDate.description, email: email)
        let page = try await signIn(browser, email: email)
        #expect(page.location == Paths.home)
        return (patient, email)
    }

    @discardableResult
    static func register(_ browser: Browser, code: String, birthDate: String, email: String, password: String = password) async throws -> Browser.Page {
        try await browser.get(Paths.registerWithCode)
        return try await browser.post(Paths.registerWithCode, ["code": code, "birthDate": birthDate, "email": email, "password": password])
    }

    @discardableResult
    static func signIn(_ browser: Browser, email: String, password: String = password) async throws -> Browser.Page {
        try await browser.get(Paths.signIn)
        return try await browser.post(Paths.signIn, ["email": email, "password": password])
    }

    /// Enrols TOTP through the pages; returns the secret as read from the manual-entry key.
    @discardableResult
    static func enrolTOTP(_ browser: Browser) async throws -> String {
        try await enrolTOTPReturningCode(browser).secret
    }

    /// Enrols TOTP and also returns the exact code that confirmed it (now used up).
    static func enrolTOTPReturningCode(_ browser: Browser) async throws -> (secret: String, usedCode: String) {
        let page = try await browser.get(Paths.twoFactor)
        let key = try #require(Browser.firstMatch(#"id="manual-key">([^<]+)<"#, in: page.body))
        let secret = try #require(base32Decode(key))
        let used = code(secret)
        let done = try await browser.post(Paths.twoFactor, ["code": used])
        #expect(done.status == .ok)
        #expect(done.body.contains("Your recovery codes"))
        return (secret, used)
    }

    /// The TOTP code for `secret`, `steps` time steps from now.
    static func code(_ secret: String, steps: Int = 0) -> String {
        let value = TOTP(secret: secret).compute(date: Date().addingTimeInterval(Double(steps) * 30))
        return String(format: "%06d", value)
    }

    static func base32Decode(_ text: String) -> String? {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        var bits = 0, value = 0
        var bytes: [UInt8] = []
        for c in text.uppercased() where c != " " && c != "=" {
            guard let index = alphabet.firstIndex(of: c) else { return nil }
            value = (value << 5) | index
            bits += 5
            if bits >= 8 {
                bytes.append(UInt8((value >> (bits - 8)) & 0xFF))
                bits -= 8
            }
        }
        return String(bytes: bytes, encoding: .utf8)
    }

    /// The newest outbox message to `recipient`, decrypted.
    static func lastMail(_ env: AppEnvironment, to recipient: String) async throws -> String? {
        let messages = try await env.database.read { try await OutboxRepository($0).list(limit: 50) }
        guard let message = messages.first(where: { $0.recipient == recipient }) else { return nil }
        return try env.mailer.body(of: message)
    }

    /// The path and query of the first CareVault link in a message.
    static func link(in body: String) -> String? {
        guard let url = Browser.firstMatch(#"(https?://\S+)"#, in: body), let components = URLComponents(string: url) else { return nil }
        return components.path + (components.query.map { "?" + $0 } ?? "")
    }
}
