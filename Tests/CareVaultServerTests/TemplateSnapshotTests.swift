import CareVaultCore
@testable import CareVaultServer
import Foundation
import Testing

/// Renders every template from a mock model. Two checks: the output matches the committed snapshot
/// (review changes with RECORD_SNAPSHOTS=1), and every string in the model appears in the output,
/// so a mistyped key in a template — which Mustache silently renders as nothing — fails the test.
@Suite("Templates")
struct TemplateSnapshotTests {
    static let nav = Layout.Nav(displayName: "MockDisplayName", roleName: "MockRoleName", isCareTeam: true, showsPatients: true, showsIdentityChecks: true,
                                  showsReleaseQueue: true, showsReviewQueue: true, showsImport: true, showsSettings: true,
                                  homeLink: "/mock-home", records: [], hasRecords: false)
    /// The layout of someone acting as a proxy: the record switcher and whose record the page shows.
    static let proxyLayout = Layout(
        title: "MockTitleProxy", csrfToken: "MockCsrf",
        nav: Layout.Nav(displayName: "MockProxyName", roleName: "MockProxyRole", isCareTeam: false, showsPatients: true, showsIdentityChecks: true,
                        showsReleaseQueue: true, showsReviewQueue: true, showsImport: true, showsSettings: true, homeLink: "/mock-home",
                        records: [.init(href: "/mock-own", text: "MockOwnRecord", isCurrent: false),
                                  .init(href: "/mock-other", text: "MockOtherRecord", isCurrent: true)], hasRecords: true),
        notice: "MockProxyNotice", viewing: "MockViewingBanner")
    static func layout(_ title: String) -> Layout {
        Layout(title: "MockTitle\(title)", csrfToken: "MockCsrf", nav: nav, notice: "MockNotice")
    }
    static let anonymous = Layout(title: "MockAnonTitle", csrfToken: "MockAnonCsrf", notice: "MockAnonNotice")
    static func field(_ name: String) -> FormField {
        FormField(name: "mock\(name)", label: "MockLabel\(name)", type: "text", value: "MockValue\(name)",
                  autocomplete: "mockauto\(name)", hint: "MockHint\(name)", error: "MockError\(name)", inputmode: "mockmode\(name)")
    }
    static let failure = ValidationFailure([FieldError(field: "mockA", message: "MockSummaryA")])
    static func resultRow(_ tag: String, isNew: Bool = false, isHeld: Bool = false) -> LabResultsPage.Row {
        LabResultsPage.Row(date: "MockDate\(tag)", test: "MockTest\(tag)", value: "MockValue\(tag)", unit: "MockUnit\(tag)",
                           range: "MockRange\(tag)", flag: "MockFlag\(tag)", isOutOfRange: true, trendLink: "/mock-trend-\(tag)",
                           isNew: isNew, isHeld: isHeld)
    }

    static var importPage: ImportPage {
        var confirmed = ImportPage.Result(
            source: "MockSource.json", imported: true, error: nil, patientName: "MockImportPatient", mrn: "MockImportMRN",
            patientLink: "/mock-import-patient", isNewPatient: true, counts: "MockCounts", changes: "MockChanges",
            unknownElements: ["MockUnknownElement"], hasUnknownElements: true)
        confirmed.demographicChanges = ["MockDemographicChange"]
        var page = ImportPage(layout: layout("Import"), errorSummary: ErrorSummary(failure), action: "/mock-import", limit: "MockLimit",
                              fileError: "MockFileError", results: [
            confirmed,
            .init(source: "MockFailed.json", imported: false, error: "MockImportError", patientName: nil, mrn: nil, patientLink: nil,
                  isNewPatient: false, counts: nil, changes: nil, unknownElements: [], hasUnknownElements: false)],
                              hasResults: true)
        page.samePersonChoices = [.init(patientID: "MockSamePersonID", fieldID: "mock-same-person", differences: "MockDifferences")]
        return page
    }

    static let pages: [(String, any Page)] = [
        ("message", MessagePage(layout: layout("Message"), heading: "MockHeading", paragraphs: ["MockParagraph1", "MockParagraph2"],
                                link: Link(href: "/mock-link", text: "MockLinkText"))),
        ("form", FormPage(layout: layout("Form"), heading: "MockFormHeading", intro: ["MockIntro"], failure: failure, action: "/mock-action",
                          fields: [field("A"), field("B")], hidden: [HiddenField(name: "mockhidden", value: "MockHiddenValue")],
                          submitLabel: "MockSubmit", links: [Link(href: "/mock-form-link", text: "MockFormLinkText")])),
        ("landing", LandingPage(layout: anonymous)),
        ("register-choice", RegisterChoicePage(layout: anonymous)),
        ("patient-home", PatientHomePage(layout: layout("Home"), patientName: "MockPatientName", birthDate: "MockBirthDate", mrn: "MockMRN",
                                         suggestTwoFactor: true, viewedByStaff: true,
                                         newItems: [Link(href: "/mock-new", text: "MockNewItems")], hasNewItems: true,
                                         pending: [PendingNote(text: "MockPendingHome")],
                                         recentResults: [resultRow("Home")], hasResults: true, resultsLink: "/mock-results",
                                         medications: [Link(href: "/mock-med", text: "MockMedication")], hasMedications: true,
                                         medicationsLink: "/mock-meds", allergies: [Link(href: "/mock-allergy", text: "MockAllergy")],
                                         hasAllergies: true, allergiesLink: "/mock-allergies",
                                         problems: [Link(href: "/mock-problem", text: "MockProblem")], hasProblems: true,
                                         problemsLink: "/mock-problems", sections: [Link(href: "/mock-section", text: "MockSection")],
                                         visitsLink: "/mock-visits", everythingLink: "/mock-everything",
                                         healthSummaryLink: "/mock-health-summary", exportLink: "/mock-export", showsDownloads: true,
                                         accessHistoryLink: "/mock-access-history", proxiesLink: "/mock-proxies",
                                         disclosuresLink: "/mock-disclosures", sharesLink: "/mock-shares",
                                         imageConsentsLink: "/mock-image-consents", hasPrivacyLinks: true)),
        ("visits", VisitsPage(layout: layout("Visits"), patientName: "MockVisitsPatient", errorSummary: ErrorSummary(failure),
                              filterAction: "/mock-visits-filter", from: field("VFrom"), to: field("VTo"), query: field("VQuery"),
                              rows: [.init(date: "MockVisitDate", kind: "MockVisitKind", reason: "MockVisitReason", place: "MockVisitPlace",
                                           link: "/mock-visit")], isEmpty: false, backLink: "/mock-visits-back",
                              previousPageLink: "/mock-visits-newer", nextPageLink: "/mock-visits-older")),
        ("visit", VisitPage(layout: layout("Visit"), patientName: "MockVisitPatient", kind: "MockKind", date: "MockStart", endDate: "MockEnd",
                            reason: "MockReason", place: "MockPlace",
                            documents: [.init(name: "MockDocName", date: "MockDocDate", link: "/mock-doc",
                                              files: [Link(href: "/mock-doc-file", text: "MockDocFile")])], hasDocuments: true,
                            labRows: [resultRow("Visit")], hasLabs: true,
                            items: [.init(kind: "MockItemKind", name: "MockItemName", date: "MockItemDate", link: "/mock-item")], hasItems: true,
                            backLink: "/mock-visit-back", summaryPDFLink: "/mock-visit-pdf")),
        ("record-list", RecordListPage(layout: layout("List"), patientName: "MockListPatient", heading: "MockListHeading",
                                       explanation: "MockListExplanation", errorSummary: ErrorSummary(failure), filterAction: "/mock-list-filter",
                                       from: field("LFrom"), to: field("LTo"), query: field("LQuery"),
                                       visit: SelectField(name: "mockvisit", label: "MockVisitLabel", options: [
                                           .init(value: "mock-visit-any", text: "MockAnyVisit", selected: false),
                                           .init(value: "mock-visit-1", text: "MockVisitOption", selected: true)], error: "MockVisitError"),
                                       pending: [PendingNote(text: "MockPendingList")],
                                       rows: [.init(date: "MockRowDate", name: "MockRowName", status: "MockRowStatus", summary: "MockRowSummary",
                                                    link: "/mock-row-link", isNew: true, isHeld: true, hasAttachment: true,
                                                    origin: "MockRowOrigin", review: nil, removeLink: nil)],
                                       isEmpty: false, emptyText: "MockEmptyText",
                                       reportedRows: [.init(date: "MockReportedDate", name: "MockReportedName", status: "MockReportedStatus",
                                                            summary: "MockReportedSummary", link: "/mock-reported-link", isNew: false, isHeld: false,
                                                            hasAttachment: false, origin: "MockReportedOrigin", review: "MockReportedReview",
                                                            removeLink: "/mock-remove-reported")],
                                       hasReported: true, reportedHeading: "MockReportedHeading", reportLink: Link(href: "/mock-report", text: "MockReportLink"), backLink: "/mock-list-back",
                                       previousPageLink: "/mock-list-newer", nextPageLink: "/mock-list-older")),
        ("record-item", RecordItemPage(layout: layout("Item"), patientName: "MockItemPatient", sectionTitle: "MockSectionTitle",
                                       sectionLink: "/mock-section-link", name: "MockItemTitle", kind: "MockItemKindName", date: "MockItemDay",
                                       status: "MockItemStatus", details: [.init(label: "MockDetailLabel", value: "MockDetailValue")],
                                       attachments: [.init(title: "MockFileTitle", kind: "MockFileKind", size: "MockFileSize", link: "/mock-file")],
                                       hasAttachments: true, externalFiles: ["https://mock.example/elsewhere.pdf"], hasExternalFiles: true,
                                       source: "MockSource", review: "MockItemReview", lastUpdated: "MockUpdated", version: "MockVersion",
                                       visitLink: "/mock-item-visit", fhirLink: "/mock-fhir", isHeld: true, shareLink: "/mock-item-share")),
        ("release-queue", ReleaseQueuePage(layout: layout("Queue"), action: "/mock-release", items: [
            .init(value: "MockType/mock-id", fieldID: "mock-item-0", patientName: "MockQueuePatient", mrn: "MockQueueMRN",
                  section: "MockQueueSection", name: "MockQueueItem", date: "MockQueueDate", arrived: "MockQueueArrived", link: "/mock-queue-item")],
            isEmpty: false, previousPageLink: "/mock-queue-previous", nextPageLink: "/mock-queue-next")),
        ("release-rules", ReleaseRulesPage(layout: layout("Rules"), errorSummary: ErrorSummary(failure), action: "/mock-rules", sections: [
            .init(key: "mock-key", title: "MockRuleSection", current: "MockRuleCurrent",
                  rule: SelectField(name: "mockrule", label: "MockRuleLabel", options: [.init(value: "mock-rule-value", text: "MockRuleText", selected: true)],
                                    error: "MockRuleError"),
                  hours: field("Hours"))])),
        ("import", Self.importPage),
        ("identity-checks", IdentityChecksPage(layout: layout("IdentityChecks"), checks: [
            .init(patientName: "MockCheckPatient", mrn: "MockCheckMRN", birthDate: "MockCheckBirthDate", typedEmail: "MockTypedEmail",
                  requested: "MockCheckRequested", patientLink: "/mock-check-patient", dismissAction: "/mock-check-dismiss")], isEmpty: false)),
        ("uploads", UploadsPage(layout: layout("Uploads"), patientName: "MockUploadsPatient", errorSummary: ErrorSummary(failure),
                                action: "/mock-uploads", title: field("UploadTitle"),
                                category: SelectField(name: "mockcategory", label: "MockCategoryLabel",
                                                      options: [.init(value: "mock-category", text: "MockCategoryText", selected: true)],
                                                      error: "MockCategoryError"),
                                serviceDate: field("ServiceDate"), limit: "MockUploadLimit", fileError: "MockUploadFileError",
                                results: ["MockUploadResult"], hasResults: true, uploads: [
            .init(title: "MockUploadItemTitle", fileName: "MockUploadFileName", kind: "MockUploadKind", category: "MockUploadCategory",
                  serviceDate: "MockUploadServiceDate", uploaded: "MockUploaded", source: "MockUploadSource", link: "/mock-upload-page",
                  downloadLink: "/mock-upload-file", status: "MockUploadStatus", comment: "MockUploadComment",
                  imageSummary: "MockImageSummary", identifyingDetails: ["MockIdentifyingDetail"], hasIdentifyingDetails: true)],
                                isEmpty: false, previousPageLink: "/mock-uploads-newer", nextPageLink: "/mock-uploads-older", backLink: "/mock-uploads-back")),
        ("upload-item", UploadItemPage(layout: layout("UploadItem"), title: "MockUploadPageTitle",
                                       facts: [.init(label: "MockFactLabel", value: "MockFactValue")], downloadLink: "/mock-upload-download",
                                       preview: UploadPreview(link: "/mock-upload-preview", alt: "MockUploadPreviewAlt", caption: "MockUploadPreviewCaption"), isPDF: true,
                                       status: "MockUploadReview", comment: "MockUploadReviewComment",
                                       identifyingDetails: ["MockUploadIdentifying"], hasIdentifyingDetails: true, canEdit: true,
                                       errorSummary: ErrorSummary(failure), action: "/mock-upload-change", titleField: field("UploadRename"),
                                       category: SelectField(name: "mockrecategory", label: "MockRecategoryLabel",
                                                             options: [.init(value: "mock-recategory", text: "MockRecategoryText", selected: true)],
                                                             error: "MockRecategoryError"),
                                       backLink: "/mock-upload-back")),
        ("readings", ReadingsPage(layout: layout("Readings"), patientName: "MockReadingsPatient", measures: [
            .init(title: "MockMeasureTitle", latest: "MockMeasureLatest", latestDate: "MockMeasureDate", link: "/mock-measure",
                  attention: "MockMeasureAttention")], importLink: "/mock-readings-import", csvLink: "/mock-readings-csv",
                                  backLink: "/mock-readings-back")),
        ("reading-measure", ReadingMeasurePage(layout: layout("Measure"), patientName: "MockMeasurePatient", title: "MockMeasurePageTitle",
                                               errorSummary: ErrorSummary(failure), action: "/mock-measure-add", fields: [field("Reading")],
                                               selects: [SelectField(name: "mockunit", label: "MockUnitLabel",
                                                                     options: [.init(value: "mock-unit", text: "MockUnitText", selected: true)],
                                                                     error: "MockUnitError")],
                                               chartSVG: "<svg>MockReadingChart</svg>", bands: ["MockBand"], hasBands: true,
                                               attention: "MockAttentionRange",
                                               rows: [.init(date: "MockReadingDate", value: "MockReadingValue", context: "MockReadingContext",
                                                            from: "MockReadingFrom", status: "MockReadingStatus", comment: "MockReadingComment",
                                                            needsAttention: true, removeLink: "/mock-remove-reading")],
                                               isEmpty: false, csvLink: "/mock-measure-csv", backLink: "/mock-measure-back")),
        ("reading-import", ReadingImportPage(layout: layout("ReadingImport"), patientName: "MockImportReadingsPatient", action: "/mock-reading-import",
                                             fileError: "MockReadingFileError", measureNames: ["MockMeasureName"], limit: "MockReadingLimit",
                                             hasPreview: true, fileName: "MockReadingFile.csv",
                                             rejected: [.init(line: 7, text: "MockRejectedRow", problems: ["MockRejectedProblem"])], hasRejected: true,
                                             accepted: [.init(line: 2, measure: "MockAcceptedMeasure", date: "MockAcceptedDate", value: "MockAcceptedValue")],
                                             acceptedCount: 1, canStore: true, confirmAction: "/mock-reading-confirm", csvText: "MockCSVText",
                                             backLink: "/mock-reading-import-back")),
        ("report-entry", ReportEntryPage(layout: layout("Report"), heading: "MockReportHeading", errorSummary: ErrorSummary(failure),
                                         action: "/mock-report-add", name: field("ReportName"), detail: field("ReportDetail"),
                                         since: field("ReportSince"), backLink: "/mock-report-back")),
        ("review-queue", ReviewQueuePage(layout: layout("Review"), items: [
            .init(patientName: "MockReviewPatient", mrn: "MockReviewMRN", kind: "MockReviewKind", summary: "MockReviewSummary",
                  reason: "MockReviewReason", status: "MockReviewStatus", submitted: "MockReviewSubmitted", link: "/mock-review-item")],
                                         isEmpty: false, previousPageLink: "/mock-review-previous", nextPageLink: "/mock-review-next")),
        ("review-item", ReviewItemPage(layout: layout("ReviewItem"), patientName: "MockReviewItemPatient", mrn: "MockReviewItemMRN",
                                       kind: "MockReviewItemKind", status: "MockReviewItemStatus",
                                       facts: [.init(label: "MockReviewFactLabel", value: "MockReviewFactValue")], reason: "MockReviewItemReason",
                                       recordLink: "/mock-review-record", fileLink: "/mock-review-file",
                                       preview: UploadPreview(link: "/mock-review-preview", alt: "MockReviewPreviewAlt", caption: "MockReviewPreviewCaption"),
                                       errorSummary: ErrorSummary(failure),
                                       isDecidable: true, action: "/mock-review-decide",
                                       decisions: [.init(value: "mock-decision", text: "MockDecisionText", hint: "MockDecisionHint",
                                                         id: "field-mock-decision", checked: true)],
                                       comment: field("ReviewComment"), backLink: "/mock-review-back")),
        ("lab-trend", LabTrendPage(layout: layout("Trend"), test: "MockTrendTest", recordName: "MockTrendRecordName", patientName: "MockTrendPatient",
                                   chartSVG: "<svg>MockChart</svg>", hasNormalRange: true, rows: [resultRow("Trend")], backLink: "/mock-trend-back")),
        ("lab-results", LabResultsPage(layout: layout("Results"), patientName: "MockResultsPatient",
                                       pending: [PendingNote(text: "MockPendingResults")], errorSummary: ErrorSummary(failure),
                                       filterAction: "/mock-filter", from: field("From"), to: field("To"),
                                       visit: SelectField(name: "mockresultsvisit", label: "MockResultsVisitLabel", options: [
                                           .init(value: "mock-results-visit", text: "MockResultsVisitOption", selected: true)], error: nil),
                                       query: field("Query"),
                                       rows: [resultRow("Lab", isNew: true), resultRow("LabHeld", isHeld: true)], isEmpty: false, csvLink: "/mock-csv", pdfLink: "/mock-pdf", backLink: "/mock-back",
                                       previousPageLink: "/mock-newer", nextPageLink: "/mock-older")),
        ("security", SecurityPage(layout: layout("Security"), email: "MockEmail", twoFactorEnabled: true, recoveryCodesLeft: 7, activeSessions: 3)),
        ("two-factor-enrol", TwoFactorEnrolPage(layout: layout("Enrol"), intro: "MockEnrolIntro", errorSummary: ErrorSummary(failure),
                                                qrSVG: "<svg>MockSVG</svg>", manualKey: "MockManualKey", code: field("Code"))),
        ("two-factor-manage", TwoFactorManagePage(layout: layout("Manage"), errorSummary: ErrorSummary(failure), enabledSince: "MockSince",
                                                  canDisable: true, disablePassword: field("Disable"), recoveryPassword: field("Recovery"))),
        ("recovery-codes", RecoveryCodesPage(layout: layout("Codes"), codes: ["MockCode1", "MockCode2"],
                                             continueLink: Link(href: "/mock-continue", text: "MockContinue"))),
        ("devices", DevicesPage(layout: layout("Devices"), devices: [
            .init(description: "MockDevice", address: "MockAddress", signedInAt: "MockSignedIn", lastSeenAt: "MockLastSeen",
                  isCurrent: true, revokeAction: "/mock-revoke")], hasOthers: true)),
        ("access-history", AccessHistoryPage(layout: layout("Access"), heading: "MockAccessHeading", patientName: "MockAccessPatient",
                                             errorSummary: ErrorSummary(failure), filterAction: "/mock-access-filter",
                                             from: field("AccessFrom"), to: field("AccessTo"),
                                             person: SelectField(name: "mockperson", label: "MockPersonLabel", options: [
                                                 .init(value: "mock-person", text: "MockPersonOption", selected: true)], error: nil),
                                             entries: [.init(time: "MockAccessTime", who: "MockWho", what: "MockWhat", link: "/mock-access-item",
                                                             authority: "MockAuthority", isRefused: true),
                                                       .init(time: "MockAccessTime2", who: "MockWho2", what: "MockWhat2", link: nil,
                                                             authority: "MockAuthority2", isRefused: false)],
                                             isEmpty: false, csvLink: "/mock-access-csv", previousPageLink: "/mock-access-newer",
                                             nextPageLink: "/mock-access-older", backLink: "/mock-access-back")),
        ("proxies", ProxiesPage(layout: layout("Proxies"), heading: "MockProxiesHeading", patientName: "MockProxiesPatient",
                                inviteLink: "/mock-invite", grants: [.init(
                                    name: "MockProxyName", email: "MockProxyEmail", relationship: "MockRelationship", scopes: ["MockScope1", "MockScope2"],
                                    status: "MockStatus", since: "MockSince", ends: "MockEnds", lastUsed: "MockLastUsed", document: "MockDocument",
                                    editLink: "/mock-proxy-edit", renewAction: "/mock-proxy-renew", revokeAction: "/mock-proxy-revoke",
                                    revokeLabel: "MockRevokeLabel", endsSoon: true, widenAction: "/mock-proxy-widen", grantID: "mock-grant",
                                    widened: "MockWidened")], hasGrants: true, backLink: "/mock-proxies-back")),
        ("proxy-form", ProxyFormPage(layout: layout("ProxyForm"), heading: "MockProxyFormHeading", intro: ["MockProxyIntro"],
                                     errorSummary: ErrorSummary(failure), action: "/mock-proxy-action", fields: [field("PF")],
                                     selects: [SelectField(name: "mockselect", label: "MockSelectLabel", options: [
                                         .init(value: "mock-option", text: "MockOptionText", selected: true)], error: "MockSelectError")],
                                     groups: [ChoiceGroup(name: "mockgroup", legend: "MockLegend", hint: "MockGroupHint", error: "MockGroupError",
                                                          choices: [("mock-choice", "MockChoiceLabel", "MockChoiceHint", true)])],
                                     documentFields: [field("Doc")], hasDocumentFields: true, submitLabel: "MockProxySubmit",
                                     backLink: "/mock-proxy-back")),
        ("proxy-invitation", ProxyInvitationPage(layout: layout("Invitation"), heading: "MockInvitationHeading", intro: "MockInvitationIntro",
                                                 scopes: ["MockInvitationScope"], terms: "MockTerms", errorSummary: ErrorSummary(failure),
                                                 acceptAction: "/mock-accept", proof: field("Proof"), agreeError: "MockAgreeError",
                                                 signInLink: "/mock-invitation-signin", signUpLink: "/mock-invitation-signup")),
        ("proxy-rules", ProxyRulesPage(layout: layout("ProxyRules"), errorSummary: ErrorSummary(failure), action: "/mock-proxy-rules",
                                       adolescentAge: "MockAge", categories: [.init(name: "MockCategoryName",
                                                                                    appliesField: "mock-applies", codesField: "mock-codes", applies: true,
                                                                                    codes: "MockCodes", error: "MockCategoryError")],
                                       hidesClinicalNotes: true)),
        ("disclosures", DisclosuresPage(layout: layout("Disclosures"), heading: "MockDisclosuresHeading", patientName: "MockDisclosuresPatient",
                                        since: "MockSince", rows: [.init(date: "MockDisclosureDate", recipient: "MockRecipient", what: "MockWhat",
                                                                         purpose: "MockPurpose", recordedBy: "MockRecordedBy")],
                                        isEmpty: false, csvLink: "/mock-disclosures-csv", pdfLink: "/mock-disclosures-pdf",
                                        newLink: "/mock-disclosure-new", backLink: "/mock-disclosures-back")),
        ("shares", SharesPage(layout: layout("Shares"), heading: "MockSharesHeading", newLink: "/mock-share-new", rows: [
            .init(label: "MockShareLabel", what: "MockShareWhat", created: "MockShareCreated", ends: "MockShareEnds", status: "MockShareStatus",
                  opened: "MockShareOpened", options: "MockShareOptions", revokeAction: "/mock-share-revoke")], hasRows: true,
                              backLink: "/mock-shares-back")),
        ("share-form", ShareFormPage(layout: layout("ShareForm"), heading: "MockShareFormHeading", errorSummary: ErrorSummary(failure),
                                     action: "/mock-share-preview",
                                     what: [ChoiceGroup(name: "mocksection", legend: "MockWhatLegend", hint: "MockWhatHint", error: "MockWhatError",
                                                        choices: [("mock-section", "MockSectionLabel", "MockSectionHint", true)])],
                                     from: field("ShareFrom"), to: field("ShareTo"), fields: [field("ShareLabel")],
                                     options: ChoiceGroup(name: "mockoptions", legend: "MockOptionsLegend",
                                                          choices: [("mock-option", "MockOptionLabel", "MockOptionHint", false)]),
                                     backLink: "/mock-share-form-back")),
        ("share-preview", SharePreviewPage(layout: layout("SharePreview"), heading: "MockPreviewHeading", errorSummary: ErrorSummary(failure),
                                           groups: [.init(title: "MockPreviewGroup", items: [.init(name: "MockPreviewItem", date: "MockPreviewDate",
                                                                                                   kind: "MockPreviewKind")])],
                                           facts: [.init(label: "MockFactLabel", value: "MockFactValue")], leftOut: "MockLeftOut",
                                           tooMany: "MockTooMany",
                                           images: [.init(title: "MockImageTitle", kind: "MockImageKind", mayShowText: true)], hasImages: true,
                                           questions: [ChoiceGroup(name: "mockquestion", legend: "MockQuestionLegend", hint: "MockQuestionHint",
                                                                   error: "MockQuestionError", choices: [("yes", "MockQuestionLabel", nil, false)])],
                                           action: "/mock-share-create",
                                           hidden: [HiddenField(name: "mockitem", value: "MockHiddenItem")], changeLink: "/mock-share-change")),
        ("share-created", ShareCreatedPage(layout: layout("ShareCreated"), label: "MockCreatedLabel", link: "MockShareURL", code: "MockShareCode",
                                           ends: "MockCreatedEnds", qrSVG: "<svg>MockQR</svg>", healthLink: "MockHealthLink",
                                           healthLinkQRSVG: "<svg>MockHealthQR</svg>", sharesLink: "/mock-shares")),
        ("shared-record", SharedRecordPage(layout: proxyLayout, patientName: "MockSharedPatient", birthDate: "MockSharedBirth",
                                           label: "MockSharedLabel", note: "MockSharedNote", ends: "MockSharedEnds",
                                           groups: [.init(title: "MockSharedGroup", items: [.init(name: "MockSharedItem", date: "MockSharedDate",
                                                                                                  kind: "MockSharedKind", summary: "MockSharedSummary",
                                                                                                  link: "/mock-shared-item")])],
                                           pdfLink: "/mock-shared-pdf", fhirLink: "/mock-shared-fhir", leaveAction: "/mock-shared-leave")),
        ("shared-item", SharedItemPage(layout: proxyLayout, patientName: "MockSharedItemPatient", name: "MockSharedItemName", kind: "MockSharedItemKind",
                                       date: "MockSharedItemDate", status: "MockSharedItemStatus",
                                       details: [.init(label: "MockDetailLabel", value: "MockDetailValue")],
                                       attachments: [.init(title: "MockAttachmentTitle", kind: "MockAttachmentKind", link: "/mock-shared-file")],
                                       hasAttachments: true, filesWithheld: true, scanSummary: "MockScanSummary",
                                       previewLink: "/mock-shared-preview", backLink: "/mock-shared-back")),
        ("image-consents", ImageConsentsPage(layout: layout("ImageConsents"), heading: "MockConsentsHeading", consents: [
            .init(id: "mock-consent", images: ["MockConsentImage"], purposes: ["MockPurpose"], signed: "MockSigned", status: "MockConsentStatus",
                  copyLink: "/mock-consent-copy", withdrawAction: "/mock-consent-withdraw")], hasConsents: true, backLink: "/mock-consents-back")),
        ("image-consent-form", ImageConsentFormPage(layout: layout("ImageConsentForm"), heading: "MockConsentFormHeading", errorSummary: ErrorSummary(failure),
                                                    action: "/mock-consent-action", statement: "MockStatement",
                                                    images: [.init(id: "field-images", value: "MockImageValue", title: "MockImageChoice", kind: "MockImageChoiceKind",
                                                                   preview: "/mock-image-preview", checked: true)],
                                                    hasImages: true, imagesError: "MockImagesError",
                                                    purposes: ChoiceGroup(name: "mockpurposes", legend: "MockPurposesLegend",
                                                                          choices: [("mock-purpose", "MockPurposeLabel", nil, true)]),
                                                    fields: [field("Signed")],
                                                    inClinic: ChoiceGroup(name: "mockinclinic", legend: "MockInClinicLegend",
                                                                          choices: [("yes", "MockInClinicLabel", nil, false)]),
                                                    backLink: "/mock-consent-form-back")),
        ("records", RecordsPage(layout: proxyLayout, records: [
            .init(name: "MockRecordName", link: "/mock-record", description: "MockRecordDescription", giveUpAction: "/mock-give-up")],
                                isEmpty: false)),
        ("activity", ActivityPage(layout: layout("Activity"), events: [
            .init(time: "MockTime", description: "MockEvent", address: "MockEventAddress", outcome: "MockOutcome")], isEmpty: false)),
        ("staff-patients", StaffPatientsPage(layout: layout("Patients"), query: "MockQuery", patients: [
            .init(name: "MockRowName", mrn: "MockRowMRN", birthDate: "MockRowBirth", link: "/mock-row", hasAccount: true)],
            isEmpty: false, nextPageLink: "/mock-next", previousPageLink: "/mock-previous")),
        ("staff-patient", StaffPatientPage(layout: layout("Patient"), name: "MockStaffName", mrn: "MockStaffMRN", birthDate: "MockStaffBirth",
                                           email: "MockStaffEmail", hasAccount: false, newActivationCode: "MockActivationCode",
                                           codeExpires: "MockExpires", issueCodeAction: "/mock-issue", recordLink: "/mock-staff-record",
                                           proxiesLink: "/mock-staff-proxies", disclosuresLink: "/mock-staff-disclosures",
                                           imageConsentLink: "/mock-staff-image-consent", imageConsentsLink: "/mock-staff-image-consents")),
    ]

    /// Strings a page model holds that are not meant to be shown.
    /// Pages without a form have no use for the CSRF token; on a test's own trend page each row's
    /// test name and trend link would only repeat the heading and link to the page itself.
    static let notShown: Set<String> = ["MockAnonCsrf", "MockTestTrend", "/mock-trend-Trend",
                                        // A visit's lab table needs no date column: the visit's date is at the top.
                                        "MockDateVisit",
                                        // The empty-list text shows only when the list is empty.
                                        "MockEmptyText",
                                        // A rule section's key only names its form fields.
                                        "mock-key",
                                        // The uploads page names the patient only in its title (the layout's).
                                        "MockUploadsPatient",
                                        // Pages named by their own heading and the layout's title: the patient's name would only repeat.
                                        "MockReadingsPatient", "MockMeasurePatient", "MockImportReadingsPatient",
                                        // The link to every record shows only with the record switcher (someone holding proxy grants).
                                        Paths.records]
    // (The records page's mock layout shows every menu link, so that its switcher and banner are checked with the rest.)

    @Test("Every template renders its model's every value and matches its snapshot", arguments: pages.map(\.0))
    func render(name: String) async throws {
        let renderer = try await PageRenderer.bundled()
        let page = try #require(Self.pages.first { $0.0 == name }?.1)
        let html = Self.render(page, renderer)

        for value in Self.strings(in: page) where !Self.notShown.contains(value) {
            #expect(html.contains(value), "template \(name) does not show \(value)")
        }
        #expect(!html.contains("{{"), "unrendered Mustache tag in \(name)")

        let snapshot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Snapshots/\(name).html")
        if ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] != nil {
            try html.write(to: snapshot, atomically: true, encoding: .utf8)
        }
        let recorded = try String(contentsOf: snapshot, encoding: .utf8)
        #expect(html == recorded, "\(name) differs from Snapshots/\(name).html; if intended, rerun with RECORD_SNAPSHOTS=1 and review the diff")
    }

    @Test("Escaping is on: model text cannot inject markup")
    func escaping() async throws {
        let renderer = try await PageRenderer.bundled()
        let page = MessagePage(layout: Self.anonymous, heading: "<script>alert(1)</script>", paragraphs: ["\"quoted\" & <b>"])
        let html = renderer.render(page)
        #expect(!html.contains("<script>"))
        #expect(html.contains("&lt;script&gt;"))
        #expect(html.contains("&quot;quoted&quot; &amp; &lt;b&gt;"))
    }

    @Test("Pages, layouts and partials all escape by byte: a quote joined by a combining mark is escaped too")
    func escapingEverywhere() async throws {
        let renderer = try await PageRenderer.bundled()
        // A quote and a combining mark are one Character, which swift-mustache's escaper (a lookup by
        // Character) let through unescaped: in an attribute, that quote ends the value and what follows
        // becomes an attribute of its own.
        let sneaky = "\"\u{0301} onmouseover='x'"
        let page = FormPage(layout: Layout(title: sneaky, csrfToken: "t"), heading: sneaky, action: "/a",
                            fields: [FormField(name: "f", label: "L", value: sneaky)], submitLabel: "Go")
        let html = renderer.render(page)
        #expect(!html.contains("\"\u{0301}") && !html.contains("'x'"))
        #expect(html.components(separatedBy: "&quot;\u{0301} onmouseover=&#39;x&#39;").count == 4)  // title, heading, field value
    }

    @Test("Every input has a label, and errors are tied to their fields")
    func accessibility() async throws {
        let renderer = try await PageRenderer.bundled()
        for (_, page) in Self.pages {
            let html = Self.render(page, renderer)
            for match in html.matches(of: /<input id="([^"]+)"/) {
                #expect(html.contains("<label for=\"\(match.output.1)\">"), "input \(match.output.1) has no label")
            }
        }
        let html = Self.render(Self.pages[1].1, renderer)
        #expect(html.contains(#"aria-describedby="field-mockA-hint field-mockA-error" aria-invalid="true""#))
        #expect(html.contains(#"<html lang="en">"#))
    }

    static func render(_ page: any Page, _ renderer: PageRenderer) -> String {
        func open<P: Page>(_ p: P) -> String { renderer.render(p) }
        return open(page)
    }

    /// Every String reachable from a value through its stored properties.
    static func strings(in value: Any) -> [String] {
        if let text = value as? String { return text.isEmpty ? [] : [text] }
        let mirror = Mirror(reflecting: value)
        if mirror.displayStyle == .optional {
            return mirror.children.first.map { strings(in: $0.value) } ?? []
        }
        return mirror.children.flatMap { strings(in: $0.value) }
    }
}
