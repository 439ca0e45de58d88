import CareVaultCore
import CareVaultStore
import Crypto
import Foundation
import Hummingbird

/// SMART Health Links for apps (HL7 SMART Health Links): the manifest, asked for with the recipient's
/// name and the passcode, lists the share's encrypted files at locations that work for an hour; a
/// wrong passcode answers 401 with the tries left, an ended or unknown link 404. Every manifest and
/// file is read through the record's door as the share's reader and audited. Any origin may ask (the
/// passcode, not a cookie, is the credential).
struct HealthLinkController: Sendable {
    /// How long a file location works.
    static let fileLifetime: TimeInterval = 60 * 60
    let env: AppEnvironment

    func addRoutes(to router: Router<AppRequestContext>) {
        router.post("/shl/:manifest", use: manifest)
        router.on("/shl/:manifest", method: .options, use: preflight)
        router.get("/shl/files/:share/:file", use: file)
        router.on("/shl/files/:share/:file", method: .options, use: preflight)
    }

    private static let cors: HTTPFields = [
        .accessControlAllowOrigin: "*", .accessControlAllowMethods: "GET, POST, OPTIONS", .accessControlAllowHeaders: "Content-Type",
        .cacheControl: "no-store",
    ]

    @Sendable func preflight(_ request: Request, context: AppRequestContext) async throws -> Response {
        Response(status: .noContent, headers: Self.cors)
    }

    private func json(_ status: HTTPResponse.Status, _ value: JSONValue) -> Response {
        var headers = Self.cors
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: value.jsonText)))
    }

    private func notFound() -> Response { json(.notFound, .object([("error", .string("This link does not exist or has ended."))])) }

    @Sendable func manifest(_ request: Request, context: AppRequestContext) async throws -> Response {
        let manifestID = try context.parameters.require("manifest")
        let body = try await request.body.collect(upTo: 16 * 1024)
        guard let parsed = try? JSONParser.parse(String(buffer: body)), case .object = parsed else {
            return json(.badRequest, .object([("error", .string("Send a JSON object with recipient and passcode."))]))
        }
        let recipient = parsed["recipient"]?.stringValue?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        guard !recipient.isEmpty, recipient.count <= 200 else {
            return json(.badRequest, .object([("error", .string("recipient: say who is asking (a name or an organization)."))]))
        }
        guard let (stored, codeHash) = try await ShareOpeningService(env: env).find(manifestID: manifestID) else { return notFound() }
        let now = Date()
        let share: ShareLink
        do {
            share = try await ShareOpeningService(env: env).prove(stored, codeHash: codeHash, code: parsed["passcode"]?.stringValue ?? "",
                                                                  birthDate: "", info: context.info, at: now)
        } catch let wrong as ShareOpeningService.WrongProof {
            return json(.unauthorized, .object([("remainingAttempts", .number(String(wrong.remaining)))]))
        } catch is ShareOpeningService.Refusal {
            return notFound()
        }
        let reader = ShareReaderContext(share: share, info: context.info, recordAudit: context.recordAudit)
        let record = try await env.records.open(share.patient.description, for: .downloadRecord, context: reader,
                                                target: ResourceRef(type: "ShareLink", id: "manifest"), auditAs: .recordRead)
        let files = try await record.read { try await $0.healthLinkFiles(share: share.id) }
        let expires = Int(now.addingTimeInterval(Self.fileLifetime).timeIntervalSince1970)
        return json(.ok, .object([
            ("files", .array(files.map { file in
                .object([("contentType", .string(file.contentType)),
                         ("location", .string(env.link(Paths.healthLinkFile(share.id.description, file.id, ticket: ticket(share: share.id, file: file.id, expires: expires)))))])
            })),
        ]))
    }

    @Sendable func file(_ request: Request, context: AppRequestContext) async throws -> Response {
        let shareText = try context.parameters.require("share"), fileID = try context.parameters.require("file")
        guard let shareID = GrantID(shareText), let ticket = request.uri.queryParameters["ticket"].map(String.init), valid(ticket, share: shareID, file: fileID),
              let stored = try await ShareOpeningService(env: env).find(id: shareID),
              try await ShareOpeningService(env: env).readingEnded(stored) == nil
        else { return notFound() }
        let share = stored.share
        let reader = ShareReaderContext(share: share, info: context.info, recordAudit: context.recordAudit)
        let record = try await env.records.open(share.patient.description, for: .downloadRecord, context: reader,
                                                target: ResourceRef(type: "ShareLink", id: "file-\(fileID)"))
        guard let file = try await record.read({ try await $0.healthLinkFile(share: share.id, id: fileID) })
        else { return notFound() }
        record.shown(share.items.compactMap { reference in
            let parts = reference.split(separator: "/", maxSplits: 1).map(String.init)
            return parts.count == 2 ? (parts[0], parts[1]) : nil
        })
        var headers = Self.cors
        headers[.contentType] = "application/jose"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: file.body)))
    }

    // MARK: File tickets: "expires.mac", good for an hour, for one file of one share.

    private var ticketKey: SymmetricKey { env.masterKey.derivedKey(purpose: "shl-file-ticket") }

    private func ticket(share: GrantID, file: String, expires: Int) -> String {
        "\(expires)." + Base64URL.encode(HMAC<SHA256>.authenticationCode(for: Data("\(share)|\(file)|\(expires)".utf8), using: ticketKey))
    }

    private func valid(_ ticket: String, share: GrantID, file: String) -> Bool {
        let parts = ticket.split(separator: ".", maxSplits: 1).map(String.init)
        guard ticket.count <= 100, parts.count == 2, let expires = Int(parts[0]), expires > Int(Date().timeIntervalSince1970),
              expires <= Int(Date().addingTimeInterval(Self.fileLifetime).timeIntervalSince1970) + 1
        else { return false }
        return constantTimeEquals(self.ticket(share: share, file: file, expires: expires), ticket)
    }
}
