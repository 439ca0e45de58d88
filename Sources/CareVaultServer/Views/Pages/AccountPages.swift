/// The overview of an account's security settings.
public struct SecurityPage: Page {
    public static let template = "security"
    public let layout: Layout
    public let email: String
    public let twoFactorEnabled: Bool
    public let recoveryCodesLeft: Int
    public let activeSessions: Int
    public let changePasswordLink = Paths.changePassword
    public let twoFactorLink = Paths.twoFactor
    public let devicesLink = Paths.devices
    public let activityLink = Paths.activity
}

/// Turning on two-step sign-in: a QR code, the key to type by hand, and the first code.
public struct TwoFactorEnrolPage: Page {
    public static let template = "two-factor-enrol"
    public let layout: Layout
    public let intro: String?
    public let errorSummary: ErrorSummary?
    /// The QR code of the `otpauth://` URI, as an inline SVG document we generated.
    public let qrSVG: String
    public let manualKey: String
    public let action = Paths.twoFactor
    public let code: FormField
}

/// Two-step sign-in is on: regenerate recovery codes, or (patients) turn it off.
public struct TwoFactorManagePage: Page {
    public static let template = "two-factor-manage"
    public let layout: Layout
    public let errorSummary: ErrorSummary?
    public let enabledSince: String
    public let canDisable: Bool
    public let disableAction = Paths.twoFactorDisable
    public let recoveryAction = Paths.recoveryCodes
    public let disablePassword: FormField
    public let recoveryPassword: FormField
}

/// The recovery codes, shown once.
public struct RecoveryCodesPage: Page {
    public static let template = "recovery-codes"
    public let layout: Layout
    public let codes: [String]
    public let continueLink: Link
}

/// The account's signed-in devices.
public struct DevicesPage: Page {
    public static let template = "devices"
    public let layout: Layout
    public let devices: [Device]
    public let revokeOthersAction = Paths.devices + "/revoke-others"
    public let hasOthers: Bool

    public struct Device: Sendable, Encodable {
        public let description: String
        public let address: String
        public let signedInAt: String
        public let lastSeenAt: String
        public let isCurrent: Bool
        public let revokeAction: String
    }
}

/// The account's security events, newest first.
public struct ActivityPage: Page {
    public static let template = "activity"
    public let layout: Layout
    public let events: [Event]
    public let isEmpty: Bool

    public struct Event: Sendable, Encodable {
        public let time: String
        public let description: String
        public let address: String
        public let outcome: String
    }
}
