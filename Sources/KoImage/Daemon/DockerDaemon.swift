import Foundation
import KoHTTP
import KoLog

/// A Docker Engine API client for what ko's `ko.local` publisher does:
/// load images (`POST /images/load` with a `docker save` tarball) and tag
/// them (`POST /images/{name}/tag`).
///
/// Paths carry no API version, so the engine answers with its own (Docker
/// 29 refuses versions below 1.44; podman's compat API serves both).
/// Docker Engine API reference: https://docs.docker.com/reference/api/engine/
public final class DockerDaemon: @unchecked Sendable {
    public let endpoint: DockerEndpoint
    let client: HTTPClient
    let logger: Logger

    /// A client for the engine at `endpoint`. An engine may take a while
    /// to answer a large load, so a transfer only stalls out after 10 minutes.
    public init(endpoint: DockerEndpoint, logger: Logger = .silent) {
        self.endpoint = endpoint
        self.logger = logger
        let timeouts = HTTPTimeouts(connect: 10, lowSpeedLimit: 1, lowSpeedTime: 600)
        switch endpoint {
        case let .unixSocket(path):
            client = HTTPClient(unixSocketPath: path, logger: logger, timeouts: timeouts)
        case .tcp:
            client = HTTPClient(logger: logger, timeouts: timeouts)
        }
    }

    /// The engine listening on the Unix socket at `socketPath`.
    public convenience init(socketPath: String, logger: Logger = .silent) {
        self.init(endpoint: .unixSocket(path: socketPath), logger: logger)
    }

    /// The engine `DOCKER_HOST` in `environment` names (default
    /// `unix:///var/run/docker.sock`).
    public static func fromEnvironment(_ environment: [String: String],
                                       logger: Logger = .silent) throws -> DockerDaemon {
        DockerDaemon(endpoint: try DockerEndpoint.fromEnvironment(environment), logger: logger)
    }

    // MARK: - Operations

    /// Checks that an engine answers (`GET /_ping`).
    public func ping() throws {
        if case let .unixSocket(path) = endpoint { try checkSocket(path) }
        let response = try send(HTTPRequest(url: url("/_ping")))
        guard response.status == 200 else { throw rejection("answer a ping", response) }
    }

    /// Loads `images` in one `docker save` tarball, each named by its
    /// `digestReference`, then tags each with its `tagReferences`; returns
    /// the digest references in order. The tarball is written to
    /// `temporaryDirectory` (default `$TMPDIR` or `/tmp`) and removed after.
    @discardableResult
    public func load(_ images: [DaemonImage], temporaryDirectory: String? = nil) throws -> [String] {
        guard !images.isEmpty else { throw DaemonError.noImages }
        try ping()
        let entries = images.map {
            DockerTarball.Entry(image: $0.image, tags: [$0.digestReference], baseBlobs: $0.baseBlobs)
        }
        try DaemonArchive.withTarball(of: entries, in: temporaryDirectory) { path, size in
            logger.debug("loading \(images.map(\.digestReference).joined(separator: ", ")) into \(endpoint)")
            let request = HTTPRequest(method: "POST", url: url("/images/load", query: [("quiet", "1")]),
                                      headers: [("Content-Type", "application/x-tar")],
                                      body: .file(path: path, length: UInt64(size)))
            let response = try send(request)
            guard (200..<300).contains(response.status) else { throw rejection("load the image", response) }
            let messages = try DockerDaemon.loadMessages(response.body, endpoint: endpoint)
            messages.forEach { logger.debug("\(endpoint): \($0)") }
        }
        for image in images {
            guard try exists(image.digestReference) else {
                throw DaemonError.imageMissingAfterLoad(endpoint: endpoint.description,
                                                        reference: image.digestReference)
            }
            for tag in image.tags {
                try self.tag(image.digestReference, repository: image.repository, tag: tag)
            }
        }
        return images.map(\.digestReference)
    }

    /// Gives the image `source` the name `repository:tag`
    /// (`POST /images/{source}/tag`); a tag on another image moves.
    public func tag(_ source: String, repository: String, tag: String) throws {
        let request = HTTPRequest(method: "POST",
                                  url: url("/images/\(DockerDaemon.pathEscaped(source))/tag",
                                           query: [("repo", repository), ("tag", tag)]))
        let response = try send(request)
        guard (200..<300).contains(response.status) else {
            throw rejection("tag \(source) as \(repository):\(tag)", response)
        }
        logger.debug("\(endpoint): tagged \(source) as \(repository):\(tag)")
    }

    /// Whether the engine knows `reference` (`GET /images/{name}/json`).
    public func exists(_ reference: String) throws -> Bool {
        let response = try send(HTTPRequest(url: url("/images/\(DockerDaemon.pathEscaped(reference))/json")))
        if response.status == 404 { return false }
        guard response.status == 200 else { throw rejection("inspect \(reference)", response) }
        return true
    }

    // MARK: - Transport

    func url(_ path: String, query: [(String, String)] = []) -> String {
        guard !query.isEmpty else { return endpoint.baseURL + path }
        let pairs = query.map { "\($0.0)=\(DockerDaemon.queryEscaped($0.1))" }
        return endpoint.baseURL + path + "?" + pairs.joined(separator: "&")
    }

    /// Sends `request`; a transport failure means no engine is there.
    private func send(_ request: HTTPRequest) throws -> HTTPResponse {
        do {
            return try client.send(request, bodyLimit: 1 << 20)
        } catch let error as HTTPError {
            switch error {
            case let .transport(_, message), let .interrupted(_, message), let .cannotConnect(_, message):
                throw DaemonError.unreachable(endpoint: endpoint.description, reason: message)
            default:
                break
            }
            throw error
        }
    }

    /// A missing socket or one this user may not open is named as such,
    /// rather than by curl's "couldn't connect".
    private func checkSocket(_ path: String) throws {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw DaemonError.unreachable(endpoint: endpoint.description, reason: "\(path): "
                                          + String(cString: strerror(errno)))
        }
        guard info.st_mode & S_IFMT == S_IFSOCK else {
            throw DaemonError.unreachable(endpoint: endpoint.description, reason: "\(path) is not a socket")
        }
        guard access(path, R_OK | W_OK) == 0 else {
            throw DaemonError.unreachable(endpoint: endpoint.description,
                                          reason: "\(path): permission denied; join the group that owns it "
                                          + "(usually 'docker')")
        }
    }

    private func rejection(_ operation: String, _ response: HTTPResponse) -> DaemonError {
        .rejected(endpoint: endpoint.description, operation: operation, status: response.status,
                  message: DockerDaemon.errorMessage(response.body))
    }

    static func pathEscaped(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? text
    }

    static func queryEscaped(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~/:@")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
