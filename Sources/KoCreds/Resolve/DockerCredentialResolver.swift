import FoundationEssentials

/// Finds the credential for a registry the way the Docker CLI does, for `ko
/// build`, `ko publish` and every other command that talks to registries.
///
/// Order: the helper from `credHelpers`, else from `credsStore` (`ko` is the
/// keyring, in-process; no child process), then `auths` under any spelling
/// Docker accepts, then the cloud token exchanges. Docker Hub is looked up
/// under `https://index.docker.io/v1/`.
public struct DockerCredentialResolver {
    /// The config.json consulted on each lookup (re-read each time, so a
    /// login in another terminal is seen).
    public let configPath: String
    /// Consulted in order after stored credentials found nothing.
    public let exchanges: [CredentialExchange]
    /// The store behind the helper name `ko`.
    public let keyring: CredentialStore
    /// Seconds an external helper may take.
    public let helperTimeout: Double
    private let environment: [String: String]

    /// A resolver for the config the environment names (`DOCKER_CONFIG`,
    /// `HOME`), or for `configPath` when given. External helpers are found on
    /// the environment's PATH and run with that environment.
    public init(configPath: String? = nil,
                environment: [String: String] = ProcessInfo.processInfo.environment,
                exchanges: [CredentialExchange] = [],
                keyring: CredentialStore = KeyringStore(),
                helperTimeout: Double = 60) throws {
        self.configPath = try configPath ?? DockerConfigFile.defaultPath(environment: environment)
        self.exchanges = exchanges
        self.keyring = keyring
        self.helperTimeout = helperTimeout
        self.environment = environment
    }

    /// The credential for `registry` (`host[:port]`, or any Docker Hub name),
    /// or nil to go anonymous.
    ///
    /// When the configured helper fails (no keyring on a CI machine, say),
    /// `auths` and the exchanges are still tried; the helper's error is
    /// thrown only if they find nothing either.
    public func credential(forRegistry registry: String) throws -> Credential? {
        let address = ServerAddress(registry)
        let server = address.registryKey
        let config = try DockerConfigFile.load(path: configPath)

        var helperError: Error?
        if case let .helper(name) = try config.credentialLocation(forServer: server, environment: environment) {
            do {
                if let credential = try store(named: name).credential(forServer: server) { return credential }
            } catch {
                helperError = error
            }
        }
        for key in try config.authKeys(matching: server) {
            if let credential = try config.authEntry(forKey: key)?.credential(server: key, path: configPath) {
                return credential
            }
        }
        for exchange in exchanges {
            if let credential = try exchange.credential(forRegistry: address.host) { return credential }
        }
        if let helperError { throw helperError }
        return nil
    }

    /// The store a helper name stands for.
    func store(named name: String) -> CredentialStore {
        if name == DockerConfigFile.inProcessHelperName { return keyring }
        return CredentialHelperProgram(name: name, timeout: helperTimeout, environment: environment)
    }
}
