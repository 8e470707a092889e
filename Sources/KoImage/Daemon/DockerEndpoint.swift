import Foundation

/// Where the Docker Engine API listens, from `DOCKER_HOST` as the docker
/// CLI reads it.
///
/// Supported: `unix:///path` (the default is `/var/run/docker.sock`) and
/// plain `tcp://host:port`. TLS (`DOCKER_TLS_VERIFY`), `ssh://` and docker
/// contexts are not: as in ko, only the environment is read.
public enum DockerEndpoint: Equatable, Sendable, CustomStringConvertible {
    case unixSocket(path: String)
    case tcp(host: String, port: Int)

    /// The engine's socket when DOCKER_HOST is unset.
    public static let defaultSocketPath = "/var/run/docker.sock"

    /// Parses a DOCKER_HOST value; nil or empty means the default socket.
    public init(dockerHost: String?, tlsVerify: Bool = false) throws {
        guard let dockerHost, !dockerHost.isEmpty else {
            self = .unixSocket(path: DockerEndpoint.defaultSocketPath)
            return
        }
        if dockerHost.hasPrefix("unix://") {
            let path = String(dockerHost.dropFirst("unix://".count))
            guard path.hasPrefix("/") else {
                throw DaemonError.unsupportedHost(dockerHost, reason: "a unix socket needs an absolute path, "
                                                  + "as in unix:///var/run/docker.sock")
            }
            self = .unixSocket(path: path)
            return
        }
        if dockerHost.hasPrefix("tcp://") {
            guard !tlsVerify else {
                throw DaemonError.unsupportedHost(dockerHost, reason: "TLS to a Docker engine "
                                                  + "(DOCKER_TLS_VERIFY) is not supported; use its unix socket")
            }
            guard let components = URLComponents(string: dockerHost), let host = components.host, !host.isEmpty,
                  components.path.isEmpty || components.path == "/" else {
                throw DaemonError.unsupportedHost(dockerHost, reason: "expected tcp://HOST:PORT")
            }
            // Foundation keeps the brackets of an IPv6 literal; the case holds the bare address.
            let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
            self = .tcp(host: bare, port: components.port ?? 2375)
            return
        }
        let scheme = dockerHost.components(separatedBy: "://").first ?? dockerHost
        let reason = dockerHost.contains("://")
            ? "the '\(scheme)' scheme is not supported; use unix:///path/to/docker.sock or tcp://HOST:PORT"
            : "expected unix:///path/to/docker.sock or tcp://HOST:PORT"
        throw DaemonError.unsupportedHost(dockerHost, reason: reason)
    }

    /// The endpoint `DOCKER_HOST` and `DOCKER_TLS_VERIFY` in `environment` name.
    public static func fromEnvironment(_ environment: [String: String]) throws -> DockerEndpoint {
        let tls = environment["DOCKER_TLS_VERIFY"].map { !$0.isEmpty } ?? false
        return try DockerEndpoint(dockerHost: environment["DOCKER_HOST"], tlsVerify: tls)
    }

    /// The URL prefix of API paths (a unix socket's requests name `localhost`).
    var baseURL: String {
        switch self {
        case .unixSocket: return "http://localhost"
        case let .tcp(host, port): return "http://\(host.contains(":") ? "[\(host)]" : host):\(port)"
        }
    }

    /// As DOCKER_HOST would spell it.
    public var description: String {
        switch self {
        case let .unixSocket(path): return "unix://\(path)"
        case let .tcp(host, port): return "tcp://\(host.contains(":") ? "[\(host)]" : host):\(port)"
        }
    }
}
