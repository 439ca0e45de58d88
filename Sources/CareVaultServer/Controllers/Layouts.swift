import Foundation
import CareVaultCore
import CareVaultStore
import Hummingbird

extension Layout {
    /// The layout for someone not (fully) signed in.
    static func anonymous(_ title: String, csrf: String, request: Request? = nil) -> Layout {
        Layout(title: title, csrfToken: csrf, notice: request.flatMap(Notice.from))
    }

    /// The layout for a signed-in account, with its navigation.
    static func signedIn(_ title: String, account: Account, csrf: String, request: Request? = nil) -> Layout {
        let home = Paths.home
        let actor = Actor(account: account)
        let offers = { (action: OrganizationAction) in AuthorizationPolicy.offers(actor, action) }
        let nav = Nav(displayName: account.displayName, roleName: account.role.displayName,
                      isCareTeam: offers(.findPatients), showsPatients: offers(.findPatients), showsIdentityChecks: offers(.checkIdentities),
                      showsReleaseQueue: offers(.releaseRecords), showsReviewQueue: offers(.reviewContributions), showsImport: offers(.importRecords),
                      showsSettings: AuthorizationPolicy.offers(actor, .configureRelease), homeLink: home)
        return Layout(title: title, csrfToken: csrf, nav: nav, notice: request.flatMap(Notice.from))
    }
}

extension SignedInRequestContext {
    func layout(_ title: String, request: Request? = nil) -> Layout {
        .signedIn(title, account: account, csrf: csrfToken, request: request)
    }
}

extension StaffRequestContext {
    func layout(_ title: String, request: Request? = nil) -> Layout {
        .signedIn(title, account: account, csrf: csrfToken, request: request)
    }
}
