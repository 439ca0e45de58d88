import Foundation

/// How a proxy relates to the patient: it decides how long a grant may last and whether it narrows as
/// a child grows up.
public enum ProxyRelationship: String, Sendable, Hashable, CaseIterable, Codable {
    /// Someone the patient invited (a partner, an adult child, a friend).
    case caregiver
    /// A parent of a minor, set up by staff.
    case parent
    /// A guardian appointed for someone who cannot act for themself, checked by staff.
    case guardian
    /// A power of attorney, checked by staff.
    case powerOfAttorney = "power-of-attorney"
}

/// Access to one patient's record that the patient (or staff, for a parent or a legal representative)
/// gave another person's account.
public struct ProxyGrant: Sendable, Equatable {
    public let id: GrantID
    public let patient: PatientID
    public let relationship: ProxyRelationship
    public let scopes: Set<ProxyScope>
    /// When the proxy accepted (nil: invited, not accepted yet).
    public let acceptedAt: Date?
    /// When it ends (a guardianship or power of attorney without an end date: nil).
    public let expiresAt: Date?
    public let revokedAt: Date?
    /// Until when a clinician widened a parent's access for this adolescent, with the adolescent's
    /// recorded agreement (reviewed yearly): the adolescent set no longer limits it, the confidential
    /// kinds of care stay hidden.
    public let widenedUntil: Date?

    public init(id: GrantID = GrantID(), patient: PatientID, relationship: ProxyRelationship, scopes: Set<ProxyScope>, acceptedAt: Date?,
                expiresAt: Date?, revokedAt: Date? = nil, widenedUntil: Date? = nil) {
        self.widenedUntil = widenedUntil
        self.id = id
        self.patient = patient
        self.relationship = relationship
        self.scopes = scopes
        self.acceptedAt = acceptedAt
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
    }

    /// Where a grant stands at one moment.
    public enum Standing: Sendable, Equatable {
        /// Sent, not accepted: it allows nothing yet.
        case invited
        /// In force: these actions, on what `narrowing` leaves visible.
        case active(actions: Set<Action>, narrowing: Narrowing)
        /// Over, and why.
        case ended(EndReason)
    }

    /// Why a grant no longer allows anything.
    public enum EndReason: String, Sendable, Equatable {
        case revoked, expired
        /// A parent's grant ends on the child's 18th birthday.
        case patientCameOfAge = "patient-came-of-age"
    }

    /// What a grant leaves visible beyond what the patient themself sees.
    public struct Narrowing: Sendable, Equatable {
        /// The resource types the proxy may see (nil: any).
        public var resourceTypes: Set<String>?
        /// Categories never shown to this proxy.
        public var hiddenCategories: Set<String>
        /// Codes (`system|code`) whose items are never shown to this proxy.
        public var hiddenCodes: Set<String> = []

        public init(resourceTypes: Set<String>?, hiddenCategories: Set<String>, hiddenCodes: Set<String> = []) {
            self.resourceTypes = resourceTypes
            self.hiddenCategories = hiddenCategories
            self.hiddenCodes = hiddenCodes
        }

        public static let none = Narrowing(resourceTypes: nil, hiddenCategories: [])
    }

    /// The grant at `now`, for a patient born on `birthDate`, under the clinic's `rules` and time zone.
    /// Revocation and expiry end it at that instant; a parent's grant ends on the 18th birthday and, from
    /// the 12th, narrows to the adolescent set with confidential categories hidden.
    public func standing(at now: Date, patientBirthDate birthDate: BirthDate, timeZone: TimeZone, rules: ProxyRules) -> Standing {
        if let revokedAt, revokedAt <= now { return .ended(.revoked) }
        if let expiresAt, expiresAt <= now { return .ended(.expired) }
        let age = birthDate.age(at: now, in: timeZone)
        if relationship == .parent, age >= rules.adultAge { return .ended(.patientCameOfAge) }
        guard acceptedAt != nil else { return .invited }
        let actions = scopes.reduce(into: Set<Action>()) { $0.formUnion($1.actions) }
        var narrowing = Narrowing.none
        if relationship == .parent {
            if rules.hidesClinicalNotesFromParents { narrowing.hiddenCategories.formUnion(rules.clinicalNoteCategories) }
            if age >= rules.adolescentAge {
                let widened = widenedUntil.map { $0 > now } ?? false
                narrowing.resourceTypes = widened ? nil : rules.adolescentParentTypes
                narrowing.hiddenCategories.formUnion(rules.confidentialCategories)
                narrowing.hiddenCodes.formUnion(rules.confidentialCodes)
            }
        }
        return .active(actions: actions, narrowing: narrowing)
    }

    /// The latest end an adult grant may be given at `start` (the patient renews; only they can): the
    /// same local time ``ProxyRules/adultMaximumMonths`` later on the clinic's calendar.
    public static func latestEnd(from start: Date, rules: ProxyRules, timeZone: TimeZone) -> Date {
        end(months: rules.adultMaximumMonths, from: start, timeZone: timeZone)
    }

    /// The end of an adult grant given for `months` at `start`: the same local time that many months
    /// later on the clinic's calendar.
    public static func end(months: Int, from start: Date, timeZone: TimeZone) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar.date(byAdding: .month, value: months, to: start)!
    }
}

/// The clinic's rules for proxies (defaults an administrator can change, with the clinic's policy text).
public struct ProxyRules: Sendable, Equatable {
    /// From this age a parent's grant narrows to ``adolescentParentTypes``, without confidential categories.
    public var adolescentAge = 12
    /// At this age every parent grant ends.
    public var adultAge = 18
    /// The longest an adult grant lasts, and the default.
    public var adultMaximumMonths = 18
    public var adultDefaultMonths = 12
    /// What a parent of an adolescent sees: vaccinations, allergies, medicines, appointments, the care
    /// team, and the patient's own details.
    public var adolescentParentTypes: Set<String> = [
        "Patient", "Immunization", "AllergyIntolerance", "MedicationRequest", "MedicationStatement", "Appointment", "CareTeam",
        "Practitioner", "Organization",
    ]
    /// The kinds of care never shown to a parent of an adolescent, each a list of codes an administrator
    /// keeps (by default sexual and reproductive health, mental health, substance use), and whether it applies.
    public var confidential: [ConfidentialCategory] = ConfidentialCategory.defaults
    /// The stored category values of the confidential kinds that apply.
    public var confidentialCategories: Set<String> { Set(confidential.filter(\.applies).map(\.id)) }
    /// Their codes (`system|code`).
    public var confidentialCodes: Set<String> { confidential.filter(\.applies).reduce(into: Set<String>()) { $0.formUnion($1.codes) } }
    /// Whether clinical notes are hidden from parents at every age.
    public var hidesClinicalNotesFromParents = false
    public var clinicalNoteCategories: Set<String> = ["clinical-note"]

    public init() {}
}

/// A kind of care kept from parents of adolescents: the codes that mark it (concept codes, document
/// types, security labels, as `system|code`), and whether the clinic applies it.
public struct ConfidentialCategory: Sendable, Equatable, Identifiable {
    public let id: String
    public let name: String
    public var codes: Set<String>
    public var applies: Bool

    public init(id: String, name: String, codes: Set<String>, applies: Bool = true) {
        self.id = id
        self.name = name
        self.codes = codes
        self.applies = applies
    }

    /// HL7's sensitivity labels (v3 ActCode), which senders put in `meta.security`; clinics add the
    /// concept codes and document types they use.
    public static let actCode = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
    public static let defaults: [ConfidentialCategory] = [
        ConfidentialCategory(id: "sexual-reproductive-health", name: "Sexual and reproductive health",
                             codes: ["SEX", "STD", "HIV", "SDV"].reduce(into: Set<String>()) { $0.insert("\(actCode)|\($1)") }),
        ConfidentialCategory(id: "mental-health", name: "Mental health",
                             codes: ["PSY", "MH", "BH"].reduce(into: Set<String>()) { $0.insert("\(actCode)|\($1)") }),
        ConfidentialCategory(id: "substance-use", name: "Substance use",
                             codes: ["ETH", "SUD"].reduce(into: Set<String>()) { $0.insert("\(actCode)|\($1)") }),
    ]
}

extension RecordVisibility {
    /// This visibility narrowed by a proxy grant: only the grant's resource types (within any this
    /// visibility already limits to), and its hidden categories too.
    public func narrowed(by narrowing: ProxyGrant.Narrowing) -> RecordVisibility {
        var result = self
        if let types = narrowing.resourceTypes { result.resourceTypes = resourceTypes.map { $0.intersection(types) } ?? types }
        result.hiddenCategories.formUnion(narrowing.hiddenCategories)
        result.hiddenCodes.formUnion(narrowing.hiddenCodes)
        return result
    }
}
