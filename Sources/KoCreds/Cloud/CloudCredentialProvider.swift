import Foundation
import KoHTTP
import KoLog

/// Registry credentials minted from the cloud identity in the environment:
/// Amazon ECR (private and Public), Google Artifact Registry and Container
/// Registry, Azure Container Registry, and GitHub Container Registry.
///
/// Hosts are recognized by anchored patterns only. Minted tokens are reused
/// within the process and, through `$XDG_CACHE_HOME/ko/cloud-tokens`, across
/// processes, until half their lifetime has passed. Every endpoint honors the
/// provider's standard override variable (`AWS_ENDPOINT_URL_ECR`,
/// `AWS_ENDPOINT_URL_STS`, `GCE_METADATA_HOST`, `AZURE_AUTHORITY_HOST`, a
/// credential file's `token_uri`) and `KO_ACR_EXCHANGE_URL` for the ACR
/// exchange. The metadata server is asked only when `GCE_METADATA_HOST` is
/// set or the machine says it is a Compute Engine VM.
public struct CloudCredentialProvider: CredentialExchange, Sendable {
    private let environment: CloudEnvironment
    private let http: HTTPClient
    private let logger: Logger
    private let memoryCache: CloudTokenCache
    private let diskCache: CloudTokenDiskCache?

    /// A provider reading `environment` (the process environment by default).
    public init(environment: [String: String] = ProcessInfo.processInfo.environment, http: HTTPClient,
                logger: Logger = .silent) {
        self.init(environment: CloudEnvironment(variables: environment), http: http, logger: logger)
    }

    /// A provider with an injected clock, metadata check and caches (tests).
    init(environment: CloudEnvironment, http: HTTPClient, logger: Logger,
         memoryCache: CloudTokenCache = .shared, usesDiskCache: Bool = true) {
        self.environment = environment
        self.http = http
        self.logger = logger
        self.memoryCache = memoryCache
        self.diskCache = usesDiskCache ? CloudTokenDiskCache(environment: environment.variables, logger: logger) : nil
    }

    /// Whether `host` is a registry this provider knows how to mint for.
    public static func isCloudRegistry(_ host: String) -> Bool {
        CloudRegistry.classify(host) != nil
    }

    /// The username and secret for `host`, or nil when it is not a cloud
    /// registry or the environment holds no identity for its cloud.
    ///
    /// - Throws: `CloudCredentialError` when an identity is configured but
    ///   unusable, or a token exchange fails.
    public func credential(forRegistry host: String) throws -> Credential? {
        try minted(forRegistry: host).map { Credential(username: $0.username, secret: $0.secret) }
    }

    private func minted(forRegistry host: String) throws -> (username: String, secret: String)? {
        guard let registry = CloudRegistry.classify(host) else { return nil }
        switch registry {
        case .github:
            return GitHubToken.credential(environment: environment)
        case let .ecr(ecr):
            return try ecrCredential(.privateRegistry(ecr))
        case .ecrPublic:
            return try ecrCredential(.publicGallery)
        case .google:
            return try googleCredential(registry: CloudRegistry.normalizedHost(host) ?? host)
        case let .azure(acr):
            return try azureCredential(acr)
        }
    }

    // MARK: Providers

    private func ecrCredential(_ target: ECRTokenExchange.Target) throws -> (username: String, secret: String)? {
        let exchange = ECRTokenExchange(target: target, environment: environment, http: http, logger: logger)
        guard let source = try AWSCredentialSource.find(in: environment, registry: exchange.registryHost) else {
            logger.debug("no AWS credentials in the environment for \(exchange.registryHost)")
            return nil
        }
        let resolver = AWSCredentialResolver(environment: environment, http: http, logger: logger,
                                             registry: exchange.registryHost, region: exchange.region,
                                             defaultSTSEndpoint: exchange.defaultSTSEndpoint)
        var resolved: AWSCredentials?
        func credentials() throws -> AWSCredentials {
            if let resolved { return resolved }
            let fresh = try resolver.credentials(from: source)
            resolved = fresh
            return fresh
        }
        let identity = try resolver.cacheIdentity(of: source, resolved: credentials)
        let key = ["ecr", exchange.registryHost, exchange.endpoint] + identity
        return try cached("ECR", exchange.registryHost, key: key) {
            try exchange.mint(with: credentials(), sourceLabel: source.label, now: environment.now())
        }
    }

    private func googleCredential(registry: String) throws -> (username: String, secret: String)? {
        guard let source = try GoogleTokenSource.find(in: environment, registry: registry) else {
            logger.debug("no Google credentials in the environment for \(registry)")
            return nil
        }
        // One access token serves every Google registry: the key names no host.
        do {
            return try cached("Google", registry, key: ["google"] + source.cacheIdentity) {
                try GoogleTokenExchange(environment: environment, http: http, logger: logger, registry: registry)
                    .mint(from: source)
            }
        } catch let error as CloudCredentialError {
            // gcloud on PATH is no configured credential: when it has no
            // account, public images (gcr.io/distroless) must still pull.
            guard case .gcloud = source, case .commandFailed = error else { throw error }
            logger.debug("no Google token from gcloud for \(registry): \(error)")
            return nil
        }
    }

    private func azureCredential(_ registry: ACRRegistry) throws -> (username: String, secret: String)? {
        guard let identity = ACRTokenExchange.Identity(environment: environment) else {
            logger.debug("no Azure service principal in the environment for \(registry.host)")
            return nil
        }
        let exchange = ACRTokenExchange(registry: registry, identity: identity, environment: environment,
                                        http: http, logger: logger)
        let key = ["acr", registry.host, exchange.tokenURL, exchange.exchangeURL, exchange.scope]
            + identity.cacheIdentity
        return try cached("ACR", registry.host, key: key) { try exchange.mint() }
    }

    // MARK: Caching

    /// The fresh token under `key` from memory or disk, else a new one from `mint`.
    private func cached(_ provider: String, _ registry: String, key parts: [String],
                        mint: () throws -> CloudToken) throws -> (username: String, secret: String) {
        let key = CloudTokenDiskCache.key(parts)
        let now = environment.now()
        if let token = memoryCache.token(forKey: key, now: now) {
            logger.debug("\(provider): reusing this process's token for \(registry)")
            return (token.username, token.secret)
        }
        if let token = diskCache?.token(forKey: key), token.isFresh(at: now) {
            logger.debug("\(provider): reusing the cached token for \(registry)")
            memoryCache.store(token, forKey: key)
            return (token.username, token.secret)
        }
        let token = try mint()
        logger.debug("\(provider): minted a token for \(registry), valid until \(token.expiresAt)")
        if token.isFresh(at: environment.now()) {
            memoryCache.store(token, forKey: key)
            diskCache?.store(token, forKey: key)
        }
        return (token.username, token.secret)
    }
}
