import Foundation
import KoHTTP
import KoLog

/// A blocking client for the OCI distribution API: manifests, blobs, uploads
/// and cross-repository mounts, with Basic and Bearer authentication.
///
/// One client serves many registries and may be shared by threads. It pings
/// each registry once (`GET /v2/`), asks the credential source once per
/// registry, and caches bearer tokens per scope until they expire.
///
/// Plain HTTP is used only for loopback registries (`isLocalhost`) or when the
/// client is `insecure`, which also skips TLS verification.
///
/// Every public operation is retried as a whole when it fails for a transient
/// reason (see `RetryPolicy`); an upload then restarts on a new session, and a
/// download resumes where it was cut.
///
///     let client = RegistryClient(credentials: store, insecure: false, logger: logger)
///     let base = try client.manifest(for: ImageReference(parsing: "alpine:3.20"))
///     try client.uploadBlob(file: path, descriptor: layer, to: target, mountFrom: base.repositoryReference)
///     let digest = try client.putManifest(bytes, mediaType: MediaType.ociManifest, reference: tagged)
public final class RegistryClient: @unchecked Sendable {
    /// Whether plain HTTP and unverified TLS are allowed for every registry.
    public let insecure: Bool
    /// The transport all registry and token requests go through.
    public let http: HTTPClient
    /// When and how often operations that failed transiently are tried again.
    public let retry: RetryPolicy
    let logger: Logger
    let authenticator: RegistryAuthenticator

    /// Largest manifest accepted from a registry.
    public static let manifestSizeLimit = 4 << 20

    /// A client that asks `credentials` for each registry's credential.
    ///
    /// - Parameters:
    ///   - insecure: allow plain HTTP and skip TLS verification for every registry
    ///     (`--insecure-registry`).
    ///   - http: the transport; by default one honouring `insecure` and
    ///     `userAgent` is made.
    ///   - retry: by default from `KO_RETRY_BUDGET` and `KO_RETRY_ATTEMPTS`.
    public init(credentials: RegistryCredentialSource = AnonymousCredentials(), insecure: Bool = false,
                http: HTTPClient? = nil, userAgent: String = "ko", logger: Logger = .silent,
                retry: RetryPolicy = RetryPolicy(environment: ProcessInfo.processInfo.environment)) {
        self.insecure = insecure
        self.logger = logger
        self.retry = retry
        self.http = http ?? HTTPClient(security: TransportSecurity(skipsVerification: insecure),
                                       userAgent: userAgent, logger: logger)
        self.authenticator = RegistryAuthenticator(http: self.http, credentials: credentials,
                                                   insecure: insecure, logger: logger)
    }

    // MARK: Authenticated requests

    /// One API request. `path` is relative to the registry's base URL unless
    /// `url` (an upload location) is given.
    struct Request {
        var target: RegistryTarget
        var method = "GET"
        var path = ""
        var url: String?
        var headers: [(name: String, value: String)] = []
        var body: HTTPBody = .none
        var uploadProgress: (@Sendable (Int64) -> Void)?
        var scopes: [RegistryScope]
        var bodyLimit = 1 << 20

        init(_ target: RegistryTarget, _ method: String, _ path: String, scopes: [RegistryScope]? = nil) {
            self.target = target
            self.method = method
            self.path = path
            self.scopes = scopes ?? RegistryScope.scopes(for: target.access, target.repository)
        }
    }

    /// Sends a request with the registry's authentication. A 401 is retried
    /// once with a fresh token (or the challenge the 401 names); any other
    /// status is returned for the caller to judge.
    func send(_ request: Request, head: ((Int, [String: [String]]) throws -> Void)? = nil,
              into sink: ((UnsafeRawBufferPointer) throws -> Void)? = nil) throws -> HTTPResponse {
        let registry = request.target.registry
        var session = try authenticator.session(for: registry)
        var refreshed = false
        while true {
            var headers = request.headers
            let url = request.url ?? session.baseURL + request.path
            // Credentials go only to the registry itself, never to a foreign
            // upload location.
            if RegistryClient.sameOrigin(url, session.baseURL),
               let authorization = try authenticator.authorization(for: request.target, scopes: request.scopes,
                                                                   session: session, refresh: refreshed) {
                headers.append(("Authorization", authorization))
            }
            let httpRequest = HTTPRequest(method: request.method, url: url, headers: headers, body: request.body,
                                          uploadProgress: request.uploadProgress)
            let response: HTTPResponse
            do {
                if let sink {
                    response = try http.stream(httpRequest, head: head, into: sink)
                } else {
                    response = try http.send(httpRequest, bodyLimit: request.bodyLimit)
                }
            } catch let error as HTTPError {
                switch error {
                case .transport, .interrupted, .cannotConnect:
                    throw RegistryError.unreachable(registry: registry, underlying: error)
                default:
                    throw error
                }
            }

            // A PATCH carried (part of) a blob: never resend it on the same session.
            guard response.status == 401, !refreshed, request.method != "PATCH" else { return response }
            let named = RegistryAuthenticator.challenge(fromHeaders: response.headers["www-authenticate"] ?? [])
            if let named, named != session.challenge, let updated = authenticator.update(registry, challenge: named) {
                session = updated
            } else if case .bearer = session.challenge {
                // Same challenge: the cached token may have been revoked; fetch a fresh one.
            } else {
                return response
            }
            refreshed = true
        }
    }

    /// The error for an unexpected response to `operation` on `target`.
    /// A status that means "later" gives `.busy`, which `retrying` tries again.
    /// Secrets a hostile registry echoes back are removed from the detail.
    func failure(_ response: HTTPResponse, _ target: RegistryTarget, _ operation: String) -> RegistryError {
        let detail = authenticator.scrub(DistributionErrors.summary(of: response))
        if response.status == 401 || response.status == 403 {
            let hadCredential = (try? authenticator.credential(for: target.registry)) != nil
            return .refused(registry: target.registry, repository: target.repository, access: target.access,
                            status: response.status, detail: detail, hadCredential: hadCredential)
        }
        if RetryPolicy.transientStatuses.contains(response.status) {
            return .busy(registry: target.registry, operation: operation, status: response.status, detail: detail,
                         retryAfter: RetryPolicy.retryAfter(response.header("retry-after")))
        }
        return .unexpectedResponse(registry: target.registry, operation: operation, status: response.status,
                                   detail: detail)
    }

    /// Whether two URLs share scheme, host and port.
    static func sameOrigin(_ first: String, _ second: String) -> Bool {
        func origin(_ url: String) -> String? {
            guard let parts = URLComponents(string: url), let scheme = parts.scheme?.lowercased(),
                  let host = parts.host?.lowercased() else { return nil }
            return "\(scheme)://\(host):\(parts.port ?? (scheme == "https" ? 443 : 80))"
        }
        guard let left = origin(first) else { return false }
        return left == origin(second)
    }

    /// `/v2/<name>/` + rest.
    static func apiPath(_ repository: String, _ rest: String) -> String {
        "/v2/\(repository)/\(rest)"
    }
}
