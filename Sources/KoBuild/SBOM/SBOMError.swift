/// Errors from producing a software bill of materials.
public enum SBOMError: Error, CustomStringConvertible, Sendable {
    /// `go version -m` output that does not read as build information.
    case invalidBuildInfo(line: Int, text: String, reason: String)
    /// `go version -m` failed on a binary.
    case goVersionFailed(binary: String, output: String)
    /// An annotation or reference that cannot be named in the document.
    case invalidReference(String, reason: String)

    public var description: String {
        switch self {
        case let .invalidBuildInfo(line, text, reason):
            return "cannot read the Go build information, line \(line) ('\(text)'): \(reason)"
        case let .goVersionFailed(binary, output):
            return "'go version -m \(binary)' failed: \(output); the SBOM needs a binary built by Go 1.18 or newer"
        case let .invalidReference(reference, reason):
            return "cannot describe image '\(reference)' in the SBOM: \(reason)"
        }
    }
}
