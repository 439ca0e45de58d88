import CareVaultCore
import CareVaultStore
import Foundation

/// The forms that offer and change proxy access, built from what was typed (or nothing) and its errors.
enum ProxyForms {
    static func scopes(_ chosen: Set<ProxyScope>, error: String?) -> ChoiceGroup {
        ChoiceGroup(name: "scopes", legend: "What may they do?", hint: "Each is a separate permission. You can change these later.", error: error,
                    choices: ProxyScope.allCases.map { scope in
                        (scope.rawValue, scope.plainText, scope.isAvailable ? nil : "not available yet", chosen.contains(scope))
                    })
    }

    static func months(_ chosen: Int, rules: ProxyRules, error: String?) -> SelectField {
        SelectField(name: "months", label: "For how long?", options: [1, 3, 6, 12, rules.adultMaximumMonths].filter { $0 <= rules.adultMaximumMonths }
            .reduce(into: [Int]()) { if !$0.contains($1) { $0.append($1) } }
            .map { .init(value: "\($0)", text: $0 == 1 ? "1 month" : "\($0) months", selected: $0 == chosen) }, error: error)
    }

    static func confirmation(_ chosen: ProxyConfirmation, error: String?, patientWords: String) -> ChoiceGroup {
        ChoiceGroup(name: "confirmWith", legend: "How will they prove who they are?",
                    hint: "Besides the link in their email, they must enter one of these.", error: error, type: "radio",
                    choices: [
                        (ProxyConfirmation.code.rawValue, "A short code I give them (shown once, after I send the invitation)", nil, chosen == .code),
                        (ProxyConfirmation.birthDate.rawValue, "\(patientWords) date of birth", nil, chosen == .birthDate),
                    ])
    }

    /// The patient's invitation form.
    static func invite(layout: Layout, record: PatientRecord, invitation: ProxyGrantService.Invitation, rules: ProxyRules,
                       failure: ValidationFailure?) -> ProxyFormPage {
        ProxyFormPage(
            layout: layout, heading: "Invite someone to help with \(record.isOwn ? "your" : record.patient.fullName + "'s") record",
            intro: ["They get their own sign-in. We email them a link that works once, for 7 days."],
            errorSummary: ErrorSummary(failure), action: Paths.newProxy(record.scope),
            fields: [
                FormField(name: "name", label: "Their name", value: invitation.name, autocomplete: "off", error: failure?.error("name")),
                FormField(name: "email", label: "Their email address", type: "email", value: invitation.email, autocomplete: "off",
                          error: failure?.error("email"), inputmode: "email"),
            ],
            selects: [months(invitation.months ?? rules.adultDefaultMonths, rules: rules, error: failure?.error("months"))],
            groups: [scopes(invitation.scopes, error: failure?.error("scopes")),
                     confirmation(invitation.confirmation, error: failure?.error("confirmWith"), patientWords: record.isOwn ? "My" : "The patient's")],
            documentFields: [], hasDocumentFields: false, submitLabel: "Send the invitation", backLink: Paths.proxies(record.scope))
    }

    /// Staff setting up a parent's, guardian's or attorney's access after checking a document.
    static func staffSetUp(layout: Layout, record: PatientRecord, invitation: ProxyGrantService.Invitation, endsOn: String,
                           failure: ValidationFailure?) -> ProxyFormPage {
        ProxyFormPage(
            layout: layout, heading: "Set up proxy access to \(record.patient.fullName)'s record",
            intro: ["For a parent or guardian of a child, or a legal representative of an adult who cannot do it themselves. Check the document first.",
                    "We email them a link that works once, for 7 days; you give them the short code shown next."],
            errorSummary: ErrorSummary(failure), action: Paths.staffNewProxy(record.scope),
            fields: [
                FormField(name: "name", label: "Their name", value: invitation.name, error: failure?.error("name")),
                FormField(name: "email", label: "Their email address", type: "email", value: invitation.email, error: failure?.error("email"),
                          inputmode: "email"),
                FormField(name: "endsOn", label: "Access ends on (optional)", value: endsOn,
                          hint: "For example 2030-06-30. A parent's access ends on the child's 18th birthday at the latest.",
                          error: failure?.error("endsOn"), required: false),
            ],
            selects: [SelectField(name: "relationship", label: "Relationship", options: [ProxyRelationship.parent, .guardian, .powerOfAttorney].map {
                .init(value: $0.rawValue, text: $0.plainText.prefix(1).uppercased() + $0.plainText.dropFirst(), selected: $0 == invitation.relationship)
            }, error: failure?.error("relationship"))],
            groups: [scopes(invitation.scopes, error: failure?.error("scopes"))],
            documentFields: [
                FormField(name: "documentType", label: "Type", value: invitation.document?.type ?? "",
                          hint: "For example birth certificate, court order, lasting power of attorney", error: failure?.error("documentType")),
                FormField(name: "documentReference", label: "Reference", value: invitation.document?.reference ?? "",
                          error: failure?.error("documentReference")),
                FormField(name: "documentDate", label: "Date issued", value: invitation.document?.date ?? "", hint: "For example 2019-03-14",
                          error: failure?.error("documentDate")),
            ],
            hasDocumentFields: true, submitLabel: "Set up access and send the invitation", backLink: Paths.proxies(record.scope))
    }

    /// The form that changes a grant's scopes and length.
    static func change(layout: Layout, record: PatientRecord, grant: StoredProxyGrant, scopes chosenScopes: Set<ProxyScope>, months chosenMonths: Int?,
                       rules: ProxyRules, failure: ValidationFailure?) -> ProxyFormPage {
        ProxyFormPage(
            layout: layout, heading: "Change what \(grant.proxyName) may do",
            intro: ["Changes apply from their next click. To stop their access completely, end it instead."],
            errorSummary: ErrorSummary(failure), action: Paths.proxy(record.scope, grant.id.description), fields: [],
            selects: grant.grant.relationship == .caregiver && record.isOwn
                ? [months(chosenMonths ?? rules.adultDefaultMonths, rules: rules, error: failure?.error("months"))] : [],
            groups: [scopes(chosenScopes, error: failure?.error("scopes"))], documentFields: [], hasDocumentFields: false,
            submitLabel: "Save changes", backLink: Paths.proxies(record.scope))
    }

    /// The page after an invitation went out: the code to give the proxy, shown this once.
    static func sent(_ created: ProxyGrantService.Created, layout: Layout, record: PatientRecord) -> MessagePage {
        let grant = created.grant
        var paragraphs = ["We emailed \(grant.proxyName) at \(grant.proxyEmail) a link that works once, for 7 days."]
        if let code = created.code {
            paragraphs.append("Give \(grant.proxyName) this code yourself — read it to them or tell them by phone, not by email: \(code)")
            paragraphs.append("This is the only time it is shown. They need it with the link to accept.")
        } else {
            paragraphs.append("To accept, they will need \(record.isOwn ? "your" : "the patient's") date of birth.")
        }
        return MessagePage(layout: layout, heading: "Invitation sent", paragraphs: paragraphs,
                           link: Link(href: Paths.proxies(record.scope), text: "Back to who can act for \(record.isOwn ? "me" : record.patient.fullName)"))
    }
}
