/// A repository on a registry, such as `127.0.0.1:5000/acme/app` or
/// `index.docker.io/library/alpine`: an image reference without tag or digest.
public struct RepositoryReference: Hashable, Sendable, CustomStringConvertible {
    /// The registry host with optional port; Docker Hub is `index.docker.io`.
    public let registry: String
    /// The repository path, lowercase, such as `library/alpine`.
    public let repository: String

    /// A reference from parts that are already valid (no normalization or checks).
    public init(registry: String, repository: String) {
        self.registry = registry
        self.repository = repository
    }

    /// Parses `[registry[:port]/]path`, normalizing Docker Hub names like `ImageReference` does.
    public init(parsing text: String) throws {
        let parts = try ReferenceParser.parse(text)
        guard parts.tag == nil, parts.digest == nil else {
            throw ImageError.invalidReference(text, reason: "a repository name takes no tag or digest")
        }
        self = parts.repository
    }

    /// `registry/repository`.
    public var description: String { "\(registry)/\(repository)" }

    /// Whether the registry is this machine's loopback (see `isLocalhost`).
    public var isLocal: Bool { isLocalhost(registry) }

    /// This repository with a tag.
    public func tagged(_ tag: String) -> ImageReference {
        ImageReference(repository: self, tag: tag, digest: nil)
    }

    /// This repository at a digest.
    public func at(_ digest: Digest) -> ImageReference {
        ImageReference(repository: self, tag: nil, digest: digest)
    }
}
