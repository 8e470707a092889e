/// Errors about image documents: JSON that does not parse, or a manifest,
/// index or config that lacks what an image needs.
public enum ModelError: Error, CustomStringConvertible, Sendable {
    case invalidJSON(document: String, line: Int, column: Int, reason: String)
    case invalidDocument(document: String, reason: String)

    public var description: String {
        switch self {
        case let .invalidJSON(document, line, column, reason):
            return "\(document) is not valid JSON (line \(line), column \(column)): "
                + InputQuoting.quote(reason, limit: 300)
        case let .invalidDocument(document, reason):
            return "\(document) is not usable: \(InputQuoting.quote(reason, limit: 300))"
        }
    }
}
