import CareVaultCore
import Foundation
import Hummingbird

/// Every path the web UI links to, in one place: templates get URLs only from here.
public enum Paths {
    public static let home = "/"
    public static let health = "/health"
    public static let signIn = "/signin"
    public static let signInCode = "/signin/code"
    public static let signOut = "/signout"
    public static let register = "/register"
    public static let registerWithCode = "/register/code"
    public static let registerByIdentity = "/register/identity"
    public static let registerConfirm = "/register/confirm"
    public static let forgotPassword = "/password/forgot"
    public static let resetPassword = "/password/reset"
    public static let security = "/account/security"
    public static let changePassword = "/account/password"
    public static let twoFactor = "/account/two-factor"
    public static let twoFactorDisable = "/account/two-factor/disable"
    public static let recoveryCodes = "/account/recovery-codes"
    public static let devices = "/account/devices"
    public static let activity = "/account/activity"
    public static let setup = "/setup"
    public static let staffPatients = "/staff/patients"
    public static let staffNewPatient = "/staff/patients/new"
    public static let stylesheet = "/static/app.css"
    public static let releaseQueue = "/staff/release-queue"
    public static let releaseRules = "/admin/release-rules"
    public static let staffImport = "/staff/import"
    public static let identityChecks = "/staff/identity-checks"
    public static let reviewQueue = "/staff/review"
    public static let uploadRetention = "/admin/upload-retention"
    /// What parents of adolescents may not see, and whether clinical notes are hidden from parents.
    public static let proxyRules = "/admin/proxy-rules"
    /// The records this person may open: their own and those they hold proxy access to.
    public static let records = "/records"

    /// Everyone with proxy access to a patient's record, and the way to invite someone.
    public static func proxies(_ patient: String) -> String { "/patients/\(patient)/proxies" }
    public static func newProxy(_ patient: String) -> String { "/patients/\(patient)/proxies/new" }
    public static func proxy(_ patient: String, _ grant: String) -> String { "/patients/\(patient)/proxies/\(grant)" }
    public static func revokeProxy(_ patient: String, _ grant: String) -> String { "/patients/\(patient)/proxies/\(grant)/revoke" }
    public static func widenProxy(_ patient: String, _ grant: String) -> String { "/patients/\(patient)/proxies/\(grant)/widen" }
    public static func renewProxy(_ patient: String, _ grant: String) -> String { "/patients/\(patient)/proxies/\(grant)/renew" }
    public static func shares(_ patient: String) -> String { "/patients/\(patient)/shares" }
    public static func newShare(_ patient: String) -> String { "/patients/\(patient)/shares/new" }
    public static func sharePreview(_ patient: String) -> String { "/patients/\(patient)/shares/preview" }
    public static func revokeShare(_ patient: String, _ share: String) -> String { "/patients/\(patient)/shares/\(share)/revoke" }
    public static func imageConsents(_ patient: String) -> String { "/patients/\(patient)/image-consents" }
    public static func imageConsentCopy(_ patient: String, _ consent: String) -> String { "/patients/\(patient)/image-consents/\(consent)/copy.pdf" }
    public static func withdrawImageConsent(_ patient: String, _ consent: String) -> String { "/patients/\(patient)/image-consents/\(consent)/withdraw" }
    public static func newImageConsent(_ patient: String) -> String { "/staff/patients/\(patient)/image-consents/new" }
    /// A share link as handed to its recipient, by its token.
    public static func shareLink(_ token: String) -> String { "/s/\(token)" }
    /// The shared record as its recipient reads it (in the session the code opened).
    public static let sharedRecord = "/shared"
    public static func sharedItem(type: String, id: String) -> String { "/shared/items/\(type)/\(id)" }
    public static func sharedFile(type: String, id: String, index: Int) -> String { "/shared/items/\(type)/\(id)/files/\(index)" }
    public static func sharedPreview(type: String, id: String) -> String { "/shared/items/\(type)/\(id)/preview" }
    public static let sharedPDF = "/shared/record.pdf"
    public static let sharedFHIR = "/shared/record.json"
    public static let sharedLeave = "/shared/leave"
    /// Where SMART Health Links are served (apps, no cookies).
    public static let healthLinkPrefix = "/shl/"
    /// A SMART Health Link's manifest, by its random id.
    public static func healthLinkManifest(_ id: String) -> String { "/shl/\(id)" }
    public static func healthLinkFile(_ share: String, _ file: String, ticket: String) -> String { "/shl/files/\(share)/\(file)?ticket=\(ticket)" }
    /// An invitation to act for a patient, by the token it was sent with.
    public static func proxyInvitation(_ token: String) -> String { "/proxy-invitations/\(token)" }
    public static func proxyInvitationAccount(_ token: String) -> String { "/proxy-invitations/\(token)/account" }
    /// The proxy gives up a grant.
    public static func giveUpProxy(_ grant: String) -> String { "/records/proxy/\(grant)/give-up" }
    /// The accounting of disclosures (the last six years), and the same as CSV and PDF.
    public static func disclosures(_ patient: String) -> String { "/patients/\(patient)/disclosures" }
    public static func disclosuresCSV(_ patient: String) -> String { "/patients/\(patient)/disclosures.csv" }
    public static func disclosuresPDF(_ patient: String) -> String { "/patients/\(patient)/disclosures.pdf" }
    /// Staff record a disclosure.
    public static func newDisclosure(_ patient: String) -> String { "/staff/patients/\(patient)/disclosures/new" }
    /// Staff set up a parent's, guardian's or attorney's access.
    public static func staffNewProxy(_ patient: String) -> String { "/staff/patients/\(patient)/proxies/new" }

    /// The routes (as registered) that read `multipart/form-data` with `MultipartFormReceiver`, which
    /// checks the CSRF token itself. Their controllers register them from here, and ``CSRFMiddleware``
    /// compares the route the router matched, so the two cannot drift apart.
    enum MultipartRoutes {
        static let staffImport = Paths.staffImport
        static let patientUploads = "/patients/:patient/uploads"
        static let readingImports = "/patients/:patient/reading-imports"
        /// Their paths as the router reports the route it matched (`context.endpointPath`: `{patient}`).
        static let matched: Set<String> = Set([staffImport, patientUploads, readingImports].map { RouterPath($0).description })
    }

    public static func reviewItem(_ id: String) -> String { "/staff/review/\(id)" }
    public static func upload(_ patient: String, _ upload: String) -> String { "/patients/\(patient)/uploads/\(upload)" }
    public static func readings(_ id: String) -> String { "/patients/\(id)/readings" }
    public static func readings(_ id: String, _ measure: ReadingMeasure) -> String { "/patients/\(id)/readings/\(measure.rawValue)" }
    public static func readingsCSV(_ id: String) -> String { "/patients/\(id)/readings.csv" }
    public static func readingsImport(_ id: String) -> String { "/patients/\(id)/reading-imports" }
    public static func readingsImportConfirm(_ id: String) -> String { "/patients/\(id)/reading-imports/confirm" }
    public static func reportEntry(_ id: String, _ kind: ReportedEntryKind) -> String { "/patients/\(id)/reported/\(kind.rawValue)" }

    public static func patientHome(_ id: String) -> String { "/patients/\(id)" }
    public static func uploads(_ id: String) -> String { "/patients/\(id)/uploads" }
    public static func uploadFile(_ patient: String, _ upload: String) -> String { "/patients/\(patient)/uploads/\(upload)/file" }
    /// Removes a home reading the patient entered.
    public static func removeReading(_ patient: String, _ measure: ReadingMeasure, _ id: String) -> String { "/patients/\(patient)/readings/\(measure.rawValue)/\(id)/remove" }
    /// Removes an allergy, medicine or condition the patient reported.
    public static func removeReported(_ patient: String, _ kind: ReportedEntryKind, _ id: String) -> String { "/patients/\(patient)/reported/\(kind.rawValue)/\(id)/remove" }
    /// A PNG of an uploaded PDF's first page.
    public static func uploadPreview(_ patient: String, _ upload: String) -> String { "/patients/\(patient)/uploads/\(upload)/preview" }
    public static func labResults(_ id: String) -> String { "/patients/\(id)/results" }
    /// "Who has seen my record", and the same as CSV.
    public static func accessHistory(_ id: String) -> String { "/patients/\(id)/access" }
    public static func accessHistoryCSV(_ id: String) -> String { "/patients/\(id)/access.csv" }
    public static func labResultsCSV(_ id: String) -> String { "/patients/\(id)/results.csv" }
    public static func labResultsPDF(_ id: String) -> String { "/patients/\(id)/results.pdf" }
    public static func exportZIP(_ id: String) -> String { "/patients/\(id)/export.zip" }
    public static func healthSummaryPDF(_ id: String) -> String { "/patients/\(id)/health-summary.pdf" }
    public static func visitSummaryPDF(_ patient: String, _ visit: String) -> String { "/patients/\(patient)/visits/\(visit)/summary.pdf" }
    public static func visits(_ id: String) -> String { "/patients/\(id)/visits" }
    public static func visit(_ patient: String, _ visit: String) -> String { "/patients/\(patient)/visits/\(visit)" }
    public static func labTrend(_ id: String, system: String?, code: String) -> String {
        "/patients/\(id)/results/trend?code=\(queryValue("\(system ?? "")|\(code)"))"
    }
    /// A section's list (`.labs` has its own page with ranges and trends).
    public static func recordSection(_ patient: String, _ section: RecordSection) -> String {
        section == .labs ? labResults(patient) : "/patients/\(patient)/records/\(section.rawValue)"
    }
    public static func recordItem(_ patient: String, type: String, id: String) -> String { "/patients/\(patient)/items/\(type)/\(id)" }
    public static func attachment(_ patient: String, type: String, id: String, index: Int) -> String {
        "/patients/\(patient)/items/\(type)/\(id)/files/\(index)"
    }
    public static func everything(_ patient: String) -> String { "/fhir/Patient/\(patient)/$everything" }
    public static func fhirResource(type: String, id: String) -> String { "/fhir/\(type)/\(id)" }
    public static func staffPatient(_ id: String) -> String { "/staff/patients/\(id)" }
    public static func dismissIdentityCheck(_ id: String) -> String { "/staff/identity-checks/\(id)/dismiss" }
    public static func staffPatientCode(_ id: String) -> String { "/staff/patients/\(id)/activation-code" }
    public static func revokeDevice(_ handle: String) -> String { "/account/devices/\(handle)/revoke" }

    /// `text` for a URL's query: every byte but RFC 3986's unreserved ASCII percent-encoded, so that
    /// letters outside ASCII ("Müller") are sent as UTF-8 escapes rather than raw.
    public static func queryValue(_ text: String) -> String {
        func unreserved(_ byte: UInt8) -> Bool {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"): true
            default: false
            }
        }
        guard !text.utf8.allSatisfy(unreserved) else { return text }
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count * 3)
        for byte in text.utf8 {
            if unreserved(byte) {
                out.append(byte)
            } else {
                out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
