/// Errors writing `docker save` tarballs and OCI archives.
public enum TarballError: Error, CustomStringConvertible, Sendable {
    /// A base layer was needed but no source for it was given.
    case missingBlob(digest: Digest, archive: String)
    /// A blob streamed in had other content than its descriptor says.
    case blobMismatch(digest: Digest, expectedSize: Int64, actualSize: Int64, actualDigest: Digest?, archive: String)
    /// Nothing to write.
    case noImages(archive: String)

    public var description: String {
        switch self {
        case let .missingBlob(digest, archive):
            return "cannot write \(archive): layer \(digest) comes from the base image, "
                + "but no source for base layers was given"
        case let .blobMismatch(digest, expectedSize, actualSize, actualDigest, archive):
            if let actualDigest {
                return "cannot write \(archive): blob \(digest) arrived with digest \(actualDigest); "
                    + "the source is corrupt or changed"
            }
            return "cannot write \(archive): blob \(digest) arrived with \(actualSize) bytes, "
                + "expected \(expectedSize); the source is corrupt or changed"
        case let .noImages(archive):
            return "cannot write \(archive): no images were given"
        }
    }
}
