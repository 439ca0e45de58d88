/// What a staff member wants to do across their organization rather than in one patient's record:
/// the work queues and lists. Asked of ``AuthorizationPolicy/decide(_:_:)`` (no patient involved);
/// each item then opened from a queue is a record action decided per patient.
public enum OrganizationAction: String, Sendable, Hashable, CaseIterable {
    /// Search and list the organization's patients.
    case findPatients = "organization.find-patients"
    /// Register a new patient record.
    case registerPatient = "organization.register-patient"
    /// Work the queue of sign-ups waiting for an identity check.
    case checkIdentities = "organization.check-identities"
    /// Import records (bundles, NDJSON) into the organization's charts.
    case importRecords = "organization.import"
    /// Work the queue of what patients added, waiting for review.
    case reviewContributions = "organization.review"
    /// Work the queue of results and documents held for release.
    case releaseRecords = "organization.release"
}
