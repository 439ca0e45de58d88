import CareVaultCore
import CareVaultStore
import Foundation
import Hummingbird

/// A patient's home page. Every request is decided by the policy and audited.
struct PatientRecordController: Sendable {
    static let summaryLimit = 10
    let env: AppEnvironment

    func addRoutes(to router: Router<AppRequestContext>) {
        let group = router.group(context: SignedInRequestContext.self)
        group.get("/patients/:patient", use: home)
        group.get("/patients/:patient/health-summary.pdf", use: healthSummary)
        group.get("/patients/:patient/export.zip", use: export)
    }

    /// The whole record as one ZIP (FHIR Bundle, NDJSON, health-summary PDF, lab CSV, original files, README).
    @Sendable func export(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        let record = try await env.records.open(try context.parameters.require("patient"), for: .downloadRecord, context: context,
                                                target: ResourceRef(type: "Bundle", id: "export"))
        let patient = record.patient
        // The ZIP holds decrypted files: it is written in the data folder's private tmp/ (0700; the file
        // 0600 like everything the server creates), never the shared temporary folder, and removed on every path.
        let folder = env.configuration.temporaryDirectory
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let file = folder.appendingPathComponent("export-\(UUID().uuidString).zip")
        defer { try? FileManager.default.removeItem(at: file) }
        _ = try await RecordExportService(env: env).export(record, to: file)
        let data = try Data(contentsOf: file)
        return Response(status: .ok, headers: [
            .contentType: "application/zip",
            .contentDisposition: "attachment; filename=\"health-record-\(patient.birthDate).zip\"",
        ], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// "My health summary" as a PDF: current problems, medicines, allergies, vaccinations, recent results.
    @Sendable func healthSummary(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        let record = try await env.records.open(try context.parameters.require("patient"), for: .downloadRecord, context: context,
                                                target: ResourceRef(type: "Composition", id: "health-summary"))
        let summary = try await record.read { try await HealthSummary.load($0) }
        record.shown(summary.resources)
        let pdf = try summary.pdf(patient: record.patient, printed: Date(), zone: env.configuration.timeZone)
        return PDFResponse.make(pdf, fileName: "health-summary.pdf")
    }

    @Sendable func home(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        let record = try await env.records.open(try context.parameters.require("patient"), for: .readRecord, context: context)
        let (patient, isOwn, scope, now) = (record.patient, record.isOwn, record.scope, record.now)
        let limit = Self.summaryLimit
        let (labs, medications, allergies, problems, unopened, pending) = try await record.read { r in
            (
                try await r.search(r.query(resourceType: "Observation", category: "laboratory", limit: 5)),
                try await r.search(r.query(section: .medications, status: "active", limit: limit)),
                try await r.search(r.query(section: .allergies, status: "active", limit: limit)),
                try await r.search(r.query(section: .problems, status: "active", limit: limit)),
                isOwn ? try await r.unopened() : [:],
                try await r.pending(at: now))
        }
        let recent = labs.compactMap { resource in (try? JSONParser.parse(resource.json)).flatMap { LabResult(id: resource.id, json: $0) } }
        record.shown(labs + medications + allergies + problems)
        func links(_ resources: [StoredResource]) -> [Link] {
            resources.compactMap { r in
                (try? JSONParser.parse(r.json)).map { json in
                    let entry = RecordEntry(resourceType: r.resourceType, id: r.id, json: json)
                    let detail = entry.details.first.map { " – \($0.value)" } ?? ""
                    return Link(href: Paths.recordItem(scope, type: r.resourceType, id: r.id), text: entry.name + detail)
                }
            }
        }
        let rows = recent.map { LabResultsPage.Row($0, patient: patient.id) }
        let newItems = RecordSection.allCases.compactMap { section -> Link? in
            guard let n = unopened[section], n > 0 else { return nil }
            return Link(href: Paths.recordSection(scope, section), text: "\(n) new in \(section.title)")
        }
        let pendingNotes = pending.map { p in
            let note = PendingWords.note(p, zone: env.configuration.timeZone)
            return PendingNote(text: "\(p.section.title): \(note.text)")
        }
        return env.renderer.response(PatientHomePage(
            layout: context.layout(isOwn ? "Your record" : patient.fullName, request: request),
            patientName: patient.fullName, birthDate: PlainDate.day(patient.birthDate.description), mrn: patient.mrn,
            suggestTwoFactor: isOwn && !context.account.hasSecondFactor, viewedByStaff: record.basis.isCareTeam,
            newItems: newItems, hasNewItems: !newItems.isEmpty, pending: pendingNotes,
            recentResults: rows, hasResults: !rows.isEmpty, resultsLink: Paths.labResults(scope),
            medications: links(medications), hasMedications: !medications.isEmpty, medicationsLink: Paths.recordSection(scope, .medications),
            allergies: links(allergies), hasAllergies: !allergies.isEmpty, allergiesLink: Paths.recordSection(scope, .allergies),
            problems: links(problems), hasProblems: !problems.isEmpty, problemsLink: Paths.recordSection(scope, .problems),
            sections: RecordSection.allCases.map { Link(href: Paths.recordSection(scope, $0), text: $0.title) }
                + [Link(href: Paths.uploads(scope), text: "Your own files (add reports, photos, scans)"),
                   Link(href: Paths.readings(scope), text: "Your readings (blood pressure, weight, blood sugar…)")],
            visitsLink: Paths.visits(scope), everythingLink: Paths.everything(scope),
            healthSummaryLink: Paths.healthSummaryPDF(scope), exportLink: Paths.exportZIP(scope),
            showsDownloads: record.allows(.downloadRecord),
            accessHistoryLink: record.allows(.readAccessLog) ? Paths.accessHistory(scope) : nil,
            proxiesLink: record.allows(.manageRecordAccess) ? Paths.proxies(scope) : nil,
            disclosuresLink: record.allows(.readAccessLog) ? Paths.disclosures(scope) : nil,
            sharesLink: record.allows(.shareRecord) ? Paths.shares(scope) : nil,
            imageConsentsLink: record.allows(.readAccessLog) ? Paths.imageConsents(scope) : nil,
            hasPrivacyLinks: record.allows(.readAccessLog) || record.allows(.manageRecordAccess) || record.allows(.shareRecord)))
    }
}
