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
        }
    }

    static func from(_ request: Request) -> String? {
        request.uri.queryParameters["notice"].flatMap { Notice(rawValue: String($0)) }?.text
    }
}

