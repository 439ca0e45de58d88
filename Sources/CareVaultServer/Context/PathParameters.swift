import CareVaultCore
import Hummingbird

extension Parameters {
    /// The `:measure` of a readings path; 404 for one CareVault does not know.
    func readingMeasure() throws -> ReadingMeasure {
        guard let measure = ReadingMeasure(rawValue: try require("measure")) else { throw HTTPError(.notFound) }
        return measure
    }

    /// The `:kind` of a reported-entry path (allergy, medicine, condition); 404 for any other.
    func reportedEntryKind() throws -> ReportedEntryKind {
        guard let kind = ReportedEntryKind(rawValue: try require("kind")) else { throw HTTPError(.notFound) }
        return kind
    }
}
