/// A reference to an image in a registry: `[registry[:port]/]repository[:tag][@digest]`,
/// as the distribution reference grammar defines it.
///
/// Docker Hub names are normalized the way the Docker CLI does: no registry,
/// `docker.io` and `index.docker.io` all mean registry `index.docker.io`, and a
/// single-element repository gets `library/` (`alpine` is
/// `index.docker.io/library/alpine:latest`). A reference with neither tag nor
/// digest gets the tag `latest`.
public struct ImageReference: Hashable, Sendable, CustomStringConvertible {
    /// Where the image lives.
    public let repositoryReference: RepositoryReference
    /// The tag, when the reference names one (`latest` when it names neither tag nor digest).
    public let tag: String?
    /// The digest, when the reference pins one; it wins over the tag.
    public let digest: Digest?

    /// The registry Docker Hub references resolve to.
    public static let dockerHubRegistry = "index.docker.io"

    /// Parses a reference, normalizing Docker Hub names.
    public init(parsing text: String) throws {
        let parts = try ReferenceParser.parse(text)
        repositoryReference = parts.repository
        digest = parts.digest
        tag = parts.tag ?? (parts.digest == nil ? "latest" : nil)
    }

    /// A reference from parts that are already valid.
    public init(repository: RepositoryReference, tag: String?, digest: Digest?) {
        self.repositoryReference = repository
        self.tag = tag
        self.digest = digest
    }

    /// The registry host with optional port, such as `127.0.0.1:5000` or `index.docker.io`.
    public var registry: String { repositoryReference.registry }

    /// The repository path, such as `library/alpine`.
    public var repository: String { repositoryReference.repository }

    /// What goes after `/manifests/` in registry URLs: the digest if pinned, else the tag.
    public var identifier: String { digest?.description ?? tag ?? "latest" }

    /// `registry/repository[:tag][@digest]`.
    public var description: String {
        var text = repositoryReference.description
        if let tag { text += ":" + tag }
        if let digest { text += "@" + digest.description }
        return text
    }

    /// Whether `tag` is a valid tag: 1-128 of `[A-Za-z0-9_.-]`, not starting with `.` or `-`.
    public static func isValidTag(_ tag: String) -> Bool { ReferenceParser.isTag(tag) }

    /// The same repository and tag, pinned to `digest`.
    public func pinned(to digest: Digest) -> ImageReference {
        ImageReference(repository: repositoryReference, tag: tag, digest: digest)
    }
}

/// The distribution reference grammar (distribution/reference, `reference.go`):
///
///     reference  := name [ ":" tag ] [ "@" digest ]
///     name       := [domain '/'] path-component ['/' path-component]*
///     domain     := host [':' port-number]
///     path-component := alpha-numeric [separator alpha-numeric]*
///     separator  := /[_.]|__|[-]*/
///     tag        := /[\w][\w.-]{0,127}/
enum ReferenceParser {
    struct Parts {
        var repository: RepositoryReference
        var tag: String?
        var digest: Digest?
    }

    /// Longest name (domain and path) the grammar allows.
    static let maximumNameLength = 255

    static func parse(_ text: String) throws -> Parts {
        func invalid(_ reason: String) -> ImageError { .invalidReference(text, reason: reason) }
        guard !text.isEmpty else { throw invalid("it is empty") }
        guard text.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else {
            throw invalid("it contains spaces or non-ASCII characters")
        }

        // name[:tag][@digest], splitting the digest first: it contains a colon.
        var rest = Substring(text)
        var digest: Digest?
        if let at = rest.firstIndex(of: "@") {
            let digestText = String(rest[rest.index(after: at)...])
            do {
                digest = try Digest(parsing: digestText)
            } catch {
                throw invalid("'\(digestText)' is not a digest (expected sha256:<64 hex digits>)")
            }
            rest = rest[..<at]
        }
        var tag: String?
        if let colon = rest.lastIndex(of: ":"), !rest[colon...].contains("/") {
            tag = String(rest[rest.index(after: colon)...])
            rest = rest[..<colon]
        }
        if let tag, !isTag(tag) {
            throw invalid("tag '\(tag)' must be 1-128 letters, digits, '_', '.' or '-', not starting with '.' or '-'")
        }

        let name = String(rest)
        guard !name.isEmpty else { throw invalid("the repository name is missing") }
        guard name.count <= maximumNameLength else {
            throw invalid("the name is longer than \(maximumNameLength) characters")
        }
        let (domain, path) = splitDomain(name)
        if let domain, !isDomain(domain) {
            throw invalid("'\(domain)' is not a valid registry host[:port]")
        }
        guard path.lowercased() == path else {
            throw invalid("repository name '\(path)' must be lowercase")
        }
        guard !path.isEmpty, path.split(separator: "/", omittingEmptySubsequences: false).allSatisfy(isPathComponent)
        else {
            throw invalid("repository name '\(path)' must be lowercase letters and digits in '/'-separated "
                          + "parts, joined by '.', '_', '__' or '-'")
        }
        return Parts(repository: normalize(domain: domain, path: path), tag: tag, digest: digest)
    }

    /// Splits off the registry: the first component is one when it has a `.` or
    /// `:`, is `localhost`, or has uppercase letters (which a path cannot).
    private static func splitDomain(_ name: String) -> (String?, String) {
        guard let slash = name.firstIndex(of: "/") else { return (nil, name) }
        let first = String(name[..<slash])
        let isDomain = first.contains(".") || first.contains(":") || first == "localhost"
            || first.lowercased() != first
        guard isDomain else { return (nil, name) }
        return (first, String(name[name.index(after: slash)...]))
    }

    private static func normalize(domain: String?, path: String) -> RepositoryReference {
        let registry = domain ?? ImageReference.dockerHubRegistry
        let isDockerHub = ["docker.io", "index.docker.io"].contains(registry.lowercased())
        guard isDockerHub else { return RepositoryReference(registry: registry, repository: path) }
        let repository = path.contains("/") ? path : "library/" + path
        return RepositoryReference(registry: ImageReference.dockerHubRegistry, repository: repository)
    }

    /// `host [':' port]`, host being a DNS name, an IPv4 address or a bracketed IPv6 address.
    static func isDomain(_ text: String) -> Bool {
        var host = Substring(text)
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return false }
            let inner = text[text.index(after: text.startIndex)..<close]
            guard !inner.isEmpty, inner.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else { return false }
            let after = text[text.index(after: close)...]
            return after.isEmpty || (after.hasPrefix(":") && isPortNumber(after.dropFirst()))
        }
        if let colon = host.firstIndex(of: ":") {
            guard isPortNumber(host[host.index(after: colon)...]) else { return false }
            host = host[..<colon]
        }
        return !host.isEmpty && host.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { part in
            guard let first = part.first, let last = part.last else { return false }
            return first.isLetterOrDigitASCII && last.isLetterOrDigitASCII
                && part.allSatisfy { $0.isLetterOrDigitASCII || $0 == "-" }
        }
    }

    private static func isPortNumber(_ text: Substring) -> Bool {
        !text.isEmpty && text.count <= 5 && text.allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// `alpha-numeric [separator alpha-numeric]*` with separators `.`, `_`, `__` or any run of `-`.
    static func isPathComponent(_ component: Substring) -> Bool {
        let characters = Array(component)
        guard let first = characters.first, let last = characters.last,
              first.isLowercaseAlphanumericASCII, last.isLowercaseAlphanumericASCII else { return false }
        var index = 0
        while index < characters.count {
            if characters[index].isLowercaseAlphanumericASCII {
                index += 1
                continue
            }
            let start = index
            while index < characters.count, !characters[index].isLowercaseAlphanumericASCII { index += 1 }
            let separator = String(characters[start..<index])
            let isSeparator = separator == "." || separator == "_" || separator == "__"
                || separator.allSatisfy { $0 == "-" }
            guard isSeparator else { return false }
        }
        return true
    }

    /// `[\w][\w.-]{0,127}`.
    static func isTag(_ tag: String) -> Bool {
        guard let first = tag.first, tag.count <= 128,
              first.isLetterOrDigitASCII || first == "_" else { return false }
        return tag.allSatisfy { $0.isLetterOrDigitASCII || $0 == "_" || $0 == "." || $0 == "-" }
    }
}

private extension Character {
    var isLetterOrDigitASCII: Bool { isASCII && (isLetter || isNumber) }
    var isLowercaseAlphanumericASCII: Bool { isASCII && (isLowercase || isNumber) }
}
