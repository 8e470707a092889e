/// Errors about images, references and their content.
///
/// Registry errors live in `RegistryError`; this enum covers what can be
/// judged without a network.
public enum ImageError: Error, CustomStringConvertible, Sendable {
    case invalidDigest(String)
    case invalidReference(String, reason: String)

    public var description: String {
        switch self {
        case let .invalidDigest(text):
            return "invalid digest '\(InputQuoting.quote(text))': expected sha256:<64 hex digits>"
        case let .invalidReference(text, reason):
            return "invalid image reference '\(InputQuoting.quote(text))': \(InputQuoting.quote(reason, limit: 300))"
        }
    }
}
