import Hummingbird
/// Confirmations shown after a redirect. Only these fixed texts can appear, whatever the query says.
enum Notice: String {
    case signedOut = "signed-out"
    case registered
    case emailConfirmed = "email-confirmed"
    case passwordReset = "password-reset"
    case passwordChanged = "password-changed"
    case twoFactorOn = "two-factor-on"
    case twoFactorOff = "two-factor-off"
    case deviceSignedOut = "device-signed-out"
    case othersSignedOut = "others-signed-out"
    case enrolRequired = "enrol-required"
    case adminCreated = "admin-created"
    case released
    case releaseNone = "release-none"
    case releaseRulesSaved = "release-rules-saved"
    case readingSaved = "reading-saved"
    case readingSent = "reading-sent-for-review"
    case readingsImported = "readings-imported"
    case entryReported = "entry-reported"
    case contributionRemoved = "contribution-removed"
    case uploadSaved = "upload-saved"
    case uploadDeleted = "upload-deleted"
    case reviewDecided = "review-decided"
    case reviewAlreadyDecided = "review-already-decided"
    case retentionSaved = "retention-saved"
    case proxyChanged = "proxy-changed"
    case proxyRenewed = "proxy-renewed"
    case proxyRevoked = "proxy-revoked"
    case shareRevoked = "share-revoked"
    case consentWithdrawn = "consent-withdrawn"
    case consentRecorded = "consent-recorded"
    case proxyAccepted = "proxy-accepted"
    case proxyGivenUp = "proxy-given-up"
    case proxyAccountCreated = "proxy-account-created"
    case proxyRulesSaved = "proxy-rules-saved"

    var text: String {
        switch self {
        case .signedOut: "You have signed out."
        case .registered: "Your account is ready. Sign in with your email address and new password."
        case .emailConfirmed: "Your email address is confirmed. You can now sign in."
        case .passwordReset: "Your password was changed and every device was signed out. Sign in with your new password."
        case .passwordChanged: "Your password was changed. Your other devices were signed out."
        case .twoFactorOn: "Two-step sign-in is on."
        case .twoFactorOff: "Two-step sign-in is off."
        case .deviceSignedOut: "That device was signed out."
        case .othersSignedOut: "All your other devices were signed out."
        case .enrolRequired: "Staff accounts must turn on two-step sign-in before they can see any patient information."
        case .adminCreated: "The administrator account was created. Sign in to continue."
        case .released: "Released. The patients can see those items now."
        case .releaseNone: "Nothing was released. Tick the items to release first."
        case .releaseRulesSaved: "The release rules were saved. They apply to items that arrive from now on."
        case .readingSaved: "Your reading was saved."
        case .readingSent: "Your reading was saved. It is outside the range your care team asked to see, so they will look at it. If you feel unwell, call your clinic or emergency services."
        case .readingsImported: "Your readings were added."
        case .entryReported: "Thank you. It was added to your record as something you told us; your care team will check it."
        case .contributionRemoved: "It was removed from your record. Your care team can still see that it was entered and removed."
        case .uploadSaved: "Your changes to the file were saved."
        case .uploadDeleted: "The file was deleted. It no longer shows in your record."
        case .reviewDecided: "Saved. The patient can see the new status."
        case .reviewAlreadyDecided: "Someone else decided on this item first; nothing was changed."
        case .retentionSaved: "The retention period was saved."
        case .proxyChanged: "The proxy access was changed. It applies from their next click."
        case .proxyRenewed: "The proxy access was renewed."
        case .proxyRevoked: "The proxy access was ended. Their next request for this record will be refused."
        case .consentWithdrawn: "The consent was withdrawn. The images are no longer used for it, and shares stop sending them."
        case .consentRecorded: "The consent for the use of images was recorded. The patient can read it and withdraw it from their account."
        case .shareRevoked: "The share was ended. Anyone opening it now is told it has ended and sees nothing."
        case .proxyAccepted: "You accepted proxy access. Everything you open in this record is logged, and the patient can see it."
        case .proxyGivenUp: "You gave up that proxy access."
        case .proxyAccountCreated: "Your account is ready. Sign in to accept the invitation."
        case .proxyRulesSaved: "The proxy rules were saved. They apply from each parent's next click."
        }
    }

    static func from(_ request: Request) -> String? {
        request.uri.queryParameters["notice"].flatMap { Notice(rawValue: String($0)) }?.text
    }
}

