/// Errors reading or writing an OCI image layout directory.
public enum LayoutError: Error, CustomStringConvertible, Sendable {
    case notALayout(path: String, reason: String)
    case missingBlob(digest: Digest, layout: String)
    case digestMismatch(expected: Digest, actual: Digest, source: String)
    case sizeMismatch(digest: Digest, expected: Int64, actual: Int64, source: String)
    case noSuchReference(name: String, layout: String, available: [String])
    case ambiguousReference(layout: String, count: Int)
    case emptyLayout(path: String)
    case unsupportedDigest(Digest)

    public var description: String {
        switch self {
        case let .notALayout(path, reason):
            return "\(path) is not an OCI image layout: \(reason)"
        case let .missingBlob(digest, layout):
            return "blob \(digest) is missing from the OCI layout at \(layout); the layout is incomplete"
        case let .digestMismatch(expected, actual, source):
            return "content of \(source) has digest \(actual), expected \(expected); it is corrupt or was changed"
        case let .sizeMismatch(digest, expected, actual, source):
            return "blob \(digest) from \(source) has \(actual) bytes, expected \(expected); it is corrupt"
        case let .noSuchReference(name, layout, available):
            let list = available.isEmpty ? "none" : available.joined(separator: ", ")
            return "no image named '\(name)' in the OCI layout at \(layout) (names there: \(list))"
        case let .ambiguousReference(layout, count):
            return "the OCI layout at \(layout) holds \(count) images; name one with its "
                + "org.opencontainers.image.ref.name"
        case let .emptyLayout(path):
            return "the OCI layout at \(path) holds no images"
        case let .unsupportedDigest(digest):
            return "cannot store blob \(digest): only sha256 blobs are supported"
        }
    }
}
