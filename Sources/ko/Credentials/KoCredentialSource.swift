import Foundation
import KoCreds
import KoHTTP
import KoImage
import KoLog
import KoCommandLine

/// Hands KoImage's registry client the credentials KoCreds finds: config.json,
/// credential helpers, the keyring, then the cloud token exchanges.
///
/// A store that cannot answer (no keyring on a headless machine, a broken
/// helper, a failed cloud exchange) is a warning, and the registry is tried
/// anonymously; a malformed config.json stays an error.
///
/// Each registry is resolved once per run: the Docker CLI's helpers are child
/// processes, and the registry client may ask again for every new scope.
final class KoCredentialSource: RegistryCredentialSource, @unchecked Sendable {
    private let resolver: DockerCredentialResolver
    private let logger: Logger
    private let lock = NSLock()
    private var resolved: [String: RegistryCredential?] = [:]

    init(environment: [String: String], logger: Logger) throws {
        let cloud = CloudCredentialProvider(environment: environment,
                                            http: HTTPClient(userAgent: KoVersion.userAgent, logger: logger),
                                            logger: logger)
        resolver = try DockerCredentialResolver(environment: environment, exchanges: [cloud])
        self.logger = logger
    }

    func credential(forRegistry registry: String) throws -> RegistryCredential? {
        if let known = lock.withLock({ resolved[registry] }) { return known }
        let credential: RegistryCredential?
        do {
            credential = try resolver.credential(forRegistry: registry).map(Self.registryCredential)
        } catch let error as ConfigFileError {
            // A config.json that cannot be read is the user's to fix; going
            // anonymous would hide it behind a confusing 401.
            throw error
        } catch {
            // A pull of a public image must not fail because a keyring, a
            // credential helper or the environment's cloud identity is
            // broken; a push fails with a 401 that names the registry.
            logger.warning("going on without credentials for \(registry): \(error)")
            credential = nil
        }
        lock.withLock { resolved[registry] = credential }
        return credential
    }

    static func registryCredential(_ credential: Credential) -> RegistryCredential {
        switch credential.kind {
        case .password: return .basic(username: credential.username, password: credential.secret)
        case .identityToken: return .identityToken(credential.secret)
        case .registryToken: return .registryToken(credential.secret)
        }
    }
}
