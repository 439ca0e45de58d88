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
    static func signedIn(_ title: String, account: Account, csrf: String, request: Request? = nil, proxyGrants: [HeldProxyGrant] = [],
                         recordInPath: String? = nil) -> Layout {
        let home = Paths.home
        let actor = Actor(account: account)
        let offers = { (action: OrganizationAction) in AuthorizationPolicy.offers(actor, action) }
        let records = RecordChoices.links(own: account.patient, grants: proxyGrants, current: recordInPath)
        let nav = Nav(displayName: account.displayName, roleName: actor.ownRecord == nil && AuthorizationPolicy.opensRecordsAsAPerson(actor) ? "Proxy" : account.role.displayName,
                      isCareTeam: offers(.findPatients), showsPatients: offers(.findPatients), showsIdentityChecks: offers(.checkIdentities),
                      showsReleaseQueue: offers(.releaseRecords), showsReviewQueue: offers(.reviewContributions), showsImport: offers(.importRecords),
                      showsSettings: AuthorizationPolicy.offers(actor, .configureRelease), homeLink: home,
                      records: records, hasRecords: !records.isEmpty)
        return Layout(title: title, csrfToken: csrf, nav: nav, notice: request.flatMap(Notice.from),
                      viewing: RecordChoices.banner(grants: proxyGrants, current: recordInPath))
    }
}

extension SignedInRequestContext {
    func layout(_ title: String, request: Request? = nil) -> Layout {
        .signedIn(title, account: account, csrf: csrfToken, request: request, proxyGrants: session.proxyGrants, recordInPath: recordInPath)
    }
}

/// The record switcher and the "whose record is this" banner of someone who holds proxy grants.
enum RecordChoices {
    /// Their own record (if any) and every record they hold a grant to; none for someone with only their own.
    static func links(own: PatientID?, grants: [HeldProxyGrant], current: String?) -> [Layout.RecordChoice] {
        guard !grants.isEmpty else { return [] }
        var links: [Layout.RecordChoice] = []
        if let own { links.append(.init(href: Paths.patientHome(own.description), text: "My record", isCurrent: current == own.description)) }
        for held in grants {
            let id = held.stored.patient.description
            guard !links.contains(where: { $0.href == Paths.patientHome(id) }) else { continue }
            links.append(.init(href: Paths.patientHome(id), text: held.patientName, isCurrent: current == id))
        }
        return links
    }

    /// "Viewing the record of Maria Lopez — you are their proxy (caregiver)." on every page of a record
    /// this person opens as a proxy.
    static func banner(grants: [HeldProxyGrant], current: String?) -> String? {
        guard let current, let held = grants.first(where: { $0.stored.patient.description == current }) else { return nil }
        return "Viewing the record of \(held.patientName) — you are their proxy (\(held.stored.grant.relationship.plainText))."
    }
}

extension StaffRequestContext {
    func layout(_ title: String, request: Request? = nil) -> Layout {
        .signedIn(title, account: account, csrf: csrfToken, request: request)
    }
}
