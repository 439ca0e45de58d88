import CareVaultCore
import CareVaultStore
import Foundation
import Hummingbird

/// Consents for the use of a patient's images: the clinician records one the patient signed; the
/// patient reads theirs, downloads a PDF copy and withdraws any.
struct ImageConsentsController: Sendable {
    let env: AppEnvironment

    func addRoutes(to router: Router<AppRequestContext>) {
        let group = router.group(context: SignedInRequestContext.self)
        group.get("/patients/:patient/image-consents", use: list)
        group.get("/patients/:patient/image-consents/:consent/copy.pdf", use: copy)
        group.post("/patients/:patient/image-consents/:consent/withdraw", use: withdraw)
        let staff = router.group(context: StaffRequestContext.self)
        staff.get("/staff/patients/:patient/image-consents/new", use: form)
        staff.post("/staff/patients/:patient/image-consents/new", use: create)
    }

    private var service: ImageConsentService { ImageConsentService(env: env) }

    /// The names of a record's images, as this reader sees them.
    private func names(_ record: PatientRecord, _ consents: [ImageConsent]) async throws -> [String: String] {
        let references = Set(consents.flatMap(\.images))
        return try await record.read { reader in
            var names: [String: String] = [:]
            for reference in references {
                let parts = reference.split(separator: "/", maxSplits: 1).map(String.init)
                guard parts.count == 2, let found = try await reader.item(type: parts[0], id: parts[1]), let json = try? JSONParser.parse(found.json) else { continue }
                names[reference] = RecordEntry(resourceType: parts[0], id: parts[1], json: json).name
            }
            return names
        }
    }

    @Sendable func list(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        let record = try await env.records.open(try context.parameters.require("patient"), for: .readAccessLog, context: context,
                                                target: ResourceRef(type: "Consent", id: "list"))
        var consents = try await record.read { try await $0.imageConsents() }
        let names = try await names(record, consents)
        // A reader who sees less than the patient sees only consents about images they may see themselves.
        if AccessHistory.isRestricted(record.visibility) { consents = consents.filter { $0.images.allSatisfy { names[$0] != nil } } }
        let zone = env.configuration.timeZone, mayWithdraw = record.allows(.manageRecordAccess)
        return env.renderer.response(ImageConsentsPage(
            layout: context.layout("Consent for your images", request: request),
            heading: record.isOwn ? "Consent for the use of your images" : "Consent for the use of \(record.patient.fullName)'s images",
            consents: consents.map { consent in
                ImageConsentsPage.Row(
                    id: consent.id.description, images: consent.images.map { names[$0] ?? "An image you cannot see" },
                    purposes: ImagePurpose.allCases.filter(consent.purposes.contains).map(\.plainText),
                    signed: "\(PlainDate.day(consent.signedOn)) by \(consent.signedName)" + (consent.source == .shareFlow ? ", while sharing" : ""),
                    status: consent.withdrawnAt.map { "Withdrawn \(PlainDate.instant($0, in: zone))" } ?? "In force",
                    copyLink: Paths.imageConsentCopy(record.scope, consent.id.description),
                    withdrawAction: consent.withdrawnAt == nil && mayWithdraw ? Paths.withdrawImageConsent(record.scope, consent.id.description) : nil)
            },
            hasConsents: !consents.isEmpty, backLink: Paths.patientHome(record.scope)))
    }

    @Sendable func copy(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        let record = try await env.records.open(try context.parameters.require("patient"), for: .readAccessLog, context: context,
                                                target: ResourceRef(type: "Consent", id: try context.parameters.require("consent")), auditAs: .recordDownloaded)
        let id = try context.parameters.require("consent")
        guard let consent = try await record.read({ try await $0.imageConsents() }).first(where: { $0.id.description == id }) else { throw HTTPError(.notFound) }
        let names = try await names(record, [consent])
        if AccessHistory.isRestricted(record.visibility), !consent.images.allSatisfy({ names[$0] != nil }) { throw HTTPError(.notFound) }
        let data = try service.pdf(consent, names: names, patient: record.patient)
        return Response(status: .ok, headers: [.contentType: "application/pdf", .contentDisposition: "attachment; filename=\"image-consent.pdf\"",
                                               .cacheControl: "no-store"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    @Sendable func withdraw(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        let id = try context.parameters.require("consent")
        let record = try await env.records.open(try context.parameters.require("patient"), for: .manageRecordAccess, context: context,
                                                target: ResourceRef(type: "Consent", id: id))
        if AccessHistory.isRestricted(record.visibility) {
            guard let consent = try await record.read({ try await $0.imageConsents() }).first(where: { $0.id.description == id }),
                  try await names(record, [consent]).count == Set(consent.images).count
            else { throw HTTPError(.notFound) }
        }
        do { try await service.withdraw(id, in: record, by: context.account, info: context.info) } catch ShareError.unknown { throw HTTPError(.notFound) }
        throw Redirect.to(Paths.imageConsents(record.scope) + "?notice=consent-withdrawn")
    }

    private func openForClinician(_ context: StaffRequestContext) async throws -> PatientRecord {
        try await env.records.open(try context.parameters.require("patient"), for: .writeRecord, context: context, target: ResourceRef(type: "Consent", id: "new"))
    }

    private func formPage(_ context: StaffRequestContext, record: PatientRecord, entry: ImageConsentService.Entry, failure: ValidationFailure?) async throws -> ImageConsentFormPage {
        let images = try await service.candidates(record)
        let today = BirthDate(Date(), in: env.configuration.timeZone).description
        return ImageConsentFormPage(
            layout: context.layout("Consent for images"), heading: "Record consent for the use of \(record.patient.fullName)'s images",
            errorSummary: ErrorSummary(failure), action: Paths.newImageConsent(record.scope), statement: ImageConsent.statement,
            images: images.enumerated().map { index, image in
                ImageConsentFormPage.ImageChoice(id: index == 0 ? "field-images" : "field-images-\(index)", value: image.reference, title: image.title,
                                                 kind: image.isScan ? "Scan" + (image.summary.map { ", \($0)" } ?? "") : "Photo",
                                                 preview: image.photoUpload.map { Paths.uploadPreview(record.scope, $0) },
                                                 checked: entry.images.contains(image.reference))
            },
            hasImages: !images.isEmpty, imagesError: failure?.error("images"),
            purposes: ChoiceGroup(name: "purposes", legend: "What the patient agreed to", error: failure?.error("purposes"),
                                  choices: ImagePurpose.allCases.map { ($0.rawValue, $0.plainText, nil, entry.purposes.contains($0)) }),
            fields: [
                FormField(name: "signedName", label: "The patient's full name, typed by them", value: entry.signedName, error: failure?.error("signedName")),
                FormField(name: "signedOn", label: "Date signed", type: "date", value: entry.signedOn.isEmpty ? today : entry.signedOn,
                          error: failure?.error("signedOn")),
            ],
            inClinic: ChoiceGroup(name: "inClinic", legend: "Where", choices: [("yes", "Signed here in the clinic, on this device", nil, entry.signedInClinic)]),
            backLink: Paths.staffPatient(record.scope))
    }

    @Sendable func form(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let record = try await openForClinician(context)
        return env.renderer.response(try await formPage(context, record: record, entry: .init(), failure: nil))
    }

    @Sendable func create(_ request: Request, context: StaffRequestContext) async throws -> Response {
        var request = request
        let form = try await request.form()
        let record = try await openForClinician(context)
        var entry = ImageConsentService.Entry()
        entry.images = Array(form.values("images").prefix(200))
        entry.purposes = Set(form.values("purposes").compactMap(ImagePurpose.init(rawValue:)))
        entry.signedName = form.value("signedName")
        entry.signedOn = form.value("signedOn")
        entry.signedInClinic = form.value("inClinic") == "yes"
        do {
            _ = try await service.record(entry, in: record, by: context.account, info: context.info)
        } catch let failure as ValidationFailure {
            return env.renderer.response(try await formPage(context, record: record, entry: entry, failure: failure), status: .badRequest)
        }
        throw Redirect.to(Paths.staffPatient(record.scope) + "?notice=consent-recorded")
    }
}
