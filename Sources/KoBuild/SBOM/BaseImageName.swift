/// The parts of an image reference an SBOM names, normalized the way
/// go-containerregistry's `name.ParseReference` does (Docker Hub is
/// `index.docker.io`, its one-word repositories live under `library/`).
struct BaseImageName: Equatable {
    /// `registry/repository`, such as `cgr.dev/chainguard/static`.
    var repository: String
    /// The tag, when the reference is by tag rather than by digest.
    var tag: String?

    static let dockerHub = "index.docker.io"

    init(parsing reference: String) throws {
        var name = Substring(reference)
        var byDigest = false
        if let at = name.firstIndex(of: "@") {
            name = name[..<at]
            byDigest = true
        }
        var tag: Substring?
        if let slash = name.lastIndex(of: "/") ?? Optional(name.startIndex),
           let colon = name[slash...].lastIndex(of: ":") {
            tag = name[name.index(after: colon)...]
            name = name[..<colon]
        }
        var components = name.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard !name.isEmpty, components.allSatisfy({ !$0.isEmpty }) else {
            throw SBOMError.invalidReference(reference, reason: "it names no repository")
        }
        var registry = Self.dockerHub
        if components.count > 1, let first = components.first,
           first.contains(".") || first.contains(":") || first == "localhost" {
            registry = first == "docker.io" ? Self.dockerHub : first
            components.removeFirst()
        }
        if registry == Self.dockerHub, components.count == 1 { components.insert("library", at: 0) }
        repository = registry + "/" + components.joined(separator: "/")
        // ParseReference yields a digest reference when there is a digest,
        // and a digest reference has no tag to report.
        self.tag = byDigest ? nil : (tag.map(String.init) ?? "latest")
        if let tag, tag.isEmpty { throw SBOMError.invalidReference(reference, reason: "its tag is empty") }
    }
}
