/// Errors about image documents: JSON that does not parse, or a manifest,
/// index or config that lacks what an image needs.
public enum ModelError: Error, CustomStringConvertible, Sendable {
    case invalidJSON(document: String, offset: Int, reason: String)
    case invalidDocument(document: String, reason: String)

    public var description: String {
        switch self {
        case let .invalidJSON(document, offset, reason):
            return "\(document) is not valid JSON (at byte \(offset)): \(InputQuoting.quote(reason, limit: 300))"
        case let .invalidDocument(document, reason):
            return "\(document) is not usable: \(InputQuoting.quote(reason, limit: 300))"
        }
    }
}
