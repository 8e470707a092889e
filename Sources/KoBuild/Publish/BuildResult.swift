import KoImage

/// What one import path became.
public struct BuildResult: Sendable {
    public var importPath: String
    /// The reference ko prints: `<repo>[:tag]@sha256:…`.
    public var reference: String
    /// The image's (or index's) digest.
    public var digest: Digest
    /// For an index, each platform image as `<repo>@sha256:…`, in index order.
    public var children: [String]
}
