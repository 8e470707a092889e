import Foundation
import KoHTTP
import KoLog

/// How a registry wants requests authenticated, learned from `GET /v2/` or a 401.
enum RegistryChallenge: Equatable, Sendable {
    case none
    case basic
    case bearer(realm: String, service: String?)
}

/// What the client knows about one registry: where its API is and how it authenticates.
struct RegistrySession: Sendable {
    /// `https://host[:port]` or `http://...`, without a trailing slash.
    let baseURL: String
    var challenge: RegistryChallenge
}

/// The registry, repository and access a request is made for; it names token
/// scopes and error messages.
struct RegistryTarget: Sendable {
    let registry: String
    let repository: String
    let access: RegistryAccess
}

/// Pings registries, looks up credentials and obtains bearer tokens, caching
/// all three for the life of the client.
///
/// Tokens are cached per registry and scope set until they expire
/// (`expires_in`, 60 seconds when absent), and a cached token also serves any
/// narrower request (a `pull,push` token serves a `pull`). Pings and token
/// requests are serialized so that parallel requests share one token.
final class RegistryAuthenticator: @unchecked Sendable {
    private struct CachedToken {
        let scopes: [RegistryScope]
        let token: String
        let expiry: Date
    }

    let http: HTTPClient
    let credentials: RegistryCredentialSource
    let insecure: Bool
    let logger: Logger
    /// The time tokens expire against; tests move it forward.
    var clock: @Sendable () -> Date = { Date() }

    private let lock = NSLock()
    private let exchangeLock = NSLock()
    private var sessions: [String: RegistrySession] = [:]
    private var tokens: [String: [CachedToken]] = [:]
    private var credentialCache: [String: RegistryCredential?] = [:]
    /// How many pings of each registry failed, and the last failure.
    private var pingFailures: [String: (count: Int, last: Error)] = [:]

    init(http: HTTPClient, credentials: RegistryCredentialSource, insecure: Bool, logger: Logger) {
        self.http = http
        self.credentials = credentials
        self.insecure = insecure
        self.logger = logger
    }

    /// Whether plain HTTP is acceptable for `registry` (and for its token realm).
    func allowsPlainHTTP(_ registry: String) -> Bool { insecure || isLocalhost(registry) }

    // MARK: Sessions

    /// Whether `registry` has answered a ping in this run.
    func hasAnswered(_ registry: String) -> Bool {
        withLock { sessions[registry] != nil }
    }

    /// The session for `registry`, pinging it the first time. A ping that
    /// fails while other callers wait for it is their answer too: a dozen
    /// operations on a registry that never answers wait for one ping, not
    /// one each, in turn. A caller that comes later (a retry) pings again.
    func session(for registry: String) throws -> RegistrySession {
        if let known = withLock({ sessions[registry] }) { return known }
        let pingsBefore = withLock { pingFailures[registry]?.count ?? 0 }
        exchangeLock.lock()
        defer { exchangeLock.unlock() }
        if let known = withLock({ sessions[registry] }) { return known }
        if let failure = withLock({ pingFailures[registry] }), failure.count > pingsBefore { throw failure.last }
        do {
            let session = try ping(registry)
            withLock { sessions[registry] = session }
            return session
        } catch {
            withLock { pingFailures[registry] = (count: (pingFailures[registry]?.count ?? 0) + 1, last: error) }
            throw error
        }
    }

    /// A `/v2/` ping answers in a few bytes at once; one silent for this long
    /// (or the client's stall time, if shorter) is not a registry to wait on.
    static let pingStallSeconds = 30

    /// Records the challenge a later 401 carried (a registry may answer `/v2/`
    /// anonymously yet protect repositories).
    func update(_ registry: String, challenge: RegistryChallenge) -> RegistrySession? {
        withLock {
            sessions[registry]?.challenge = challenge
            return sessions[registry]
        }
    }

    /// `HEAD /v2/`, else `GET /v2/` (distribution spec, "Determining support"): over HTTPS, or
    /// plain HTTP for local registries; an insecure registry is tried over
    /// HTTPS first, then HTTP.
    func ping(_ registry: String) throws -> RegistrySession {
        let schemes: [String]
        if isLocalhost(registry) {
            schemes = ["http"]
        } else if insecure {
            schemes = ["https", "http"]
        } else {
            schemes = ["https"]
        }
        var lastError = HTTPError.transport(url: registry, message: "no scheme to try")
        for scheme in schemes {
            let baseURL = "\(scheme)://\(registry)"
            let response: HTTPResponse
            do {
                // HEAD answers with the same status and challenge and no body
                // (so a rebuild sends nothing but HEADs); a registry that does
                // not route HEAD there (404, 405) gets the GET.
                let stall = Self.pingStallSeconds
                let head = try http.send(HTTPRequest(method: "HEAD", url: baseURL + "/v2/", stallSeconds: stall),
                                         bodyLimit: 64 << 10)
                response = head.status == 404 || head.status == 405
                    ? try http.send(HTTPRequest(url: baseURL + "/v2/", stallSeconds: stall), bodyLimit: 64 << 10)
                    : head
            } catch let error as HTTPError {
                logger.debug("registry \(registry): \(scheme) ping failed: \(error)")
                lastError = error
                continue
            }
            let challenge = try RegistryAuthenticator.challenge(in: response, registry: registry)
            logger.debug("registry \(registry): \(baseURL), authentication \(challenge)")
            return RegistrySession(baseURL: baseURL, challenge: challenge)
        }
        throw RegistryError.unreachable(registry: registry, underlying: lastError)
    }

    /// The challenge a `/v2/` answer implies: none for 2xx, Bearer or Basic for a 401.
    static func challenge(in response: HTTPResponse, registry: String) throws -> RegistryChallenge {
        if (200..<300).contains(response.status) { return .none }
        if RetryPolicy.transientStatuses.contains(response.status) {
            throw RegistryError.busy(registry: registry, operation: "answer GET /v2/", status: response.status,
                                     detail: DistributionErrors.summary(of: response),
                                     retryAfter: RetryPolicy.retryAfter(response.header("retry-after")))
        }
        guard response.status == 401 else {
            throw RegistryError.unexpectedResponse(registry: registry, operation: "answer GET /v2/",
                                                   status: response.status,
                                                   detail: DistributionErrors.summary(of: response))
        }
        let headers = response.headers["www-authenticate"] ?? []
        guard let challenge = challenge(fromHeaders: headers) else {
            let shown = headers.isEmpty ? "401 without WWW-Authenticate" : headers.joined(separator: ", ")
            throw RegistryError.unsupportedChallenge(registry: registry, challenge: String(shown.prefix(200)))
        }
        return challenge
    }

    /// The first usable challenge of `WWW-Authenticate` headers, Bearer preferred.
    static func challenge(fromHeaders headers: [String]) -> RegistryChallenge? {
        let challenges = AuthChallenge.parse(headers: headers)
        if let bearer = challenges.first(where: { $0.isScheme("bearer") }), let realm = bearer.realm,
           !realm.isEmpty {
            return .bearer(realm: realm, service: bearer.parameter("service"))
        }
        if challenges.contains(where: { $0.isScheme("basic") }) { return .basic }
        return nil
    }

    // MARK: Credentials

    /// The credential for `registry`, asked of the source once per client.
    func credential(for registry: String) throws -> RegistryCredential? {
        if let cached = withLock({ credentialCache[registry] }) { return cached }
        let credential: RegistryCredential?
        do {
            credential = try credentials.credential(forRegistry: registry)
        } catch {
            throw RegistryError.credentialLookupFailed(registry: registry, reason: "\(error)")
        }
        withLock { credentialCache[registry] = .some(credential) }
        return credential
    }

    // MARK: Authorization

    /// The `Authorization` value for a request, or nil for none. With
    /// `refresh`, cached tokens for the scopes are dropped and a new one fetched.
    func authorization(for target: RegistryTarget, scopes: [RegistryScope], session: RegistrySession,
                       refresh: Bool) throws -> String? {
        switch session.challenge {
        case .none:
            return nil
        case .basic:
            switch try credential(for: target.registry) {
            case let .basic(username, password)?:
                return "Basic " + Data("\(username):\(password)".utf8).base64EncodedString()
            case let .registryToken(token)?:
                return "Bearer \(token)"
            case .identityToken?, nil:
                return nil
            }
        case let .bearer(realm, service):
            let credential = try credential(for: target.registry)
            if case let .registryToken(token)? = credential { return "Bearer \(token)" }
            if refresh { dropTokens(for: target.registry, covering: scopes) }
            if let token = cachedToken(for: target.registry, scopes: scopes) { return "Bearer \(token)" }

            exchangeLock.lock()
            defer { exchangeLock.unlock() }
            if let token = cachedToken(for: target.registry, scopes: scopes) { return "Bearer \(token)" }
            let fetched = try TokenRequest(realm: realm, service: service, scopes: scopes, credential: credential,
                                           target: target, allowsPlainHTTP: allowsPlainHTTP(target.registry))
                .send(with: http, logger: logger)
            let expiry = clock().addingTimeInterval(fetched.lifetime - min(10, fetched.lifetime / 4))
            withLock {
                tokens[target.registry, default: []].append(CachedToken(scopes: scopes, token: fetched.token,
                                                                         expiry: expiry))
            }
            return "Bearer \(fetched.token)"
        }
    }

    /// `text` with every secret this client holds (passwords, identity and
    /// registry tokens, bearer tokens) replaced, for quoting a server's answer.
    func scrub(_ text: String) -> String {
        let secrets: [String] = withLock {
            var all = tokens.values.flatMap { $0.map(\.token) }
            for case let credential?? in credentialCache.values {
                switch credential {
                case let .basic(username, password):
                    all.append(password)
                    all.append(Data("\(username):\(password)".utf8).base64EncodedString())
                case let .identityToken(token), let .registryToken(token):
                    all.append(token)
                }
            }
            return all
        }
        return RegistryAuthenticator.scrub(text, secrets: secrets)
    }

    /// `text` with each of `secrets` (longer than 3 characters) replaced by `<redacted>`.
    static func scrub(_ text: String, secrets: [String]) -> String {
        var result = text
        for secret in secrets.sorted(by: { $0.count > $1.count }) where secret.count > 3 {
            result = result.replacingOccurrences(of: secret, with: "<redacted>")
        }
        return result
    }

    private func cachedToken(for registry: String, scopes: [RegistryScope]) -> String? {
        withLock {
            let now = clock()
            tokens[registry]?.removeAll { $0.expiry <= now }
            return tokens[registry]?.first { cached in
                scopes.allSatisfy { wanted in cached.scopes.contains { $0.covers(wanted) } }
            }?.token
        }
    }

    private func dropTokens(for registry: String, covering scopes: [RegistryScope]) {
        withLock {
            tokens[registry]?.removeAll { cached in
                scopes.allSatisfy { wanted in cached.scopes.contains { $0.covers(wanted) } }
            }
        }
    }

    private func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }
}
