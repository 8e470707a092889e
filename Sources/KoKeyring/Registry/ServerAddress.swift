/// A registry server address as the Docker CLI and credential helpers write
/// it (`https://index.docker.io/v1/`, `http://Host:5000`, `ghcr.io/team`),
/// taken apart so that equivalent spellings compare equal.
public struct ServerAddress: Sendable, Equatable {
    /// The key Docker uses for Docker Hub in config.json and in helpers.
    public static let dockerHubServer = "https://index.docker.io/v1/"

    /// Host names that all mean Docker Hub.
    public static let dockerHubHosts: Set<String> = ["docker.io", "index.docker.io", "registry-1.docker.io"]

    /// The address as it was given, trimmed of whitespace.
    public let original: String
    /// The lowercased host, with its port when one was given.
    public let host: String
    /// The repository namespace after the host (`team` in `ghcr.io/team`), or
    /// nil for the whole registry; API version paths (`/v1/`, `/v2/`) are not
    /// namespaces.
    public let repositoryPath: String?

    public init(_ address: String) {
        let trimmed = address.trimmingWhitespace()
        original = trimmed
        var rest = Substring(trimmed)
        for scheme in ["https://", "http://"] where rest.lowercased().hasPrefix(scheme) {
            rest = rest.dropFirst(scheme.count)
            break
        }
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        host = rest[..<slash].lowercased()
        var path = rest[slash...]
        while path.first == "/" { path = path.dropFirst() }
        while path.last == "/" { path = path.dropLast() }
        repositoryPath = path.isEmpty || path == "v1" || path == "v2" ? nil : String(path)
    }

    /// True when the host is one of Docker Hub's names.
    public var isDockerHub: Bool { ServerAddress.dockerHubHosts.contains(host) }

    /// True when the address names a repository namespace, not a whole registry.
    public var isRepositoryScoped: Bool { repositoryPath != nil }

    /// The key `docker login` stores the registry under: Docker Hub's index
    /// URL, otherwise the lowercased `host[:port]`.
    public var registryKey: String { isDockerHub ? ServerAddress.dockerHubServer : host }

    /// The spelling all equivalent addresses share: the registry key, plus the
    /// repository namespace when there is one.
    public var canonical: String {
        guard let repositoryPath else { return registryKey }
        return (isDockerHub ? "docker.io" : host) + "/" + repositoryPath
    }

    /// The address with its namespace cut one level shorter each time, ending
    /// with the whole registry: `r/a/b` gives `r/a/b`, `r/a`, `r`.
    public var canonicalAncestry: [String] {
        var result = [canonical]
        guard var path = repositoryPath else { return result }
        while let slash = path.lastIndex(of: "/") {
            path = String(path[..<slash])
            result.append((isDockerHub ? "docker.io" : host) + "/" + path)
        }
        result.append(registryKey)
        return result
    }
}

extension StringProtocol {
    /// The text without leading and trailing whitespace and line breaks.
    package func trimmingWhitespace() -> String {
        guard let first = firstIndex(where: { !$0.isWhitespace }),
              let last = lastIndex(where: { !$0.isWhitespace }) else { return "" }
        return String(self[first...last])
    }
}
