/// Where a patient's contribution (an upload, a reading, an allergy they told us about) stands with
/// their care team. A clinician opening it puts it under review; from there it is marked reviewed,
/// accepted into the chart (verified), or returned to the patient with a comment.
public enum ReviewStatus: String, Sendable, CaseIterable, Codable {
    case submitted
    case underReview = "under-review"
    case reviewed
    case accepted
    case returned
    /// The patient deleted it before it was decided.
    case withdrawn

    /// What the patient reads ("Under review").
    public var title: String {
        switch self {
        case .submitted: "Submitted"
        case .underReview: "Under review"
        case .reviewed: "Reviewed"
        case .accepted: "Accepted"
        case .returned: "Returned"
        case .withdrawn: "Withdrawn"
        }
    }

    /// Whether it waits in the clinicians' queue.
    public var isOpen: Bool { self == .submitted || self == .underReview }

    /// The statuses a clinician's decision can move it to from here.
    public var next: Set<ReviewStatus> {
        switch self {
        case .submitted: [.underReview, .reviewed, .accepted, .returned, .withdrawn]
        case .underReview: [.reviewed, .accepted, .returned, .withdrawn]
        // A reviewed item can still be taken into the chart later.
        case .reviewed: [.accepted]
        // A returned item the patient sends again starts over.
        case .returned: [.submitted, .withdrawn]
        case .accepted, .withdrawn: []
        }
    }

    public func canMove(to status: ReviewStatus) -> Bool { next.contains(status) }
}

/// A clinician's decision on an item under review.
public enum ReviewDecision: String, Sendable, CaseIterable {
    case reviewed = "mark-reviewed"
    case accept
    case returnToPatient = "return"

    public var status: ReviewStatus {
        switch self {
        case .reviewed: .reviewed
        case .accept: .accepted
        case .returnToPatient: .returned
        }
    }
}
