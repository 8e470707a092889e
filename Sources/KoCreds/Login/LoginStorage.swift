import FoundationEssentials

/// Keeps verified credentials where the Docker CLI would keep them, for `ko
/// login`, and removes them again for `ko logout`.
///
/// The place is the registry's `credHelpers` entry, else `credsStore` (`ko`
/// meaning the keyring, in-process), else config.json `auths`, with the
/// Docker CLI's warning that the password is stored unencrypted. Servers are
/// keyed as `docker login` keys them: Docker Hub as
/// `https://index.docker.io/v1/`, others as lowercased `host[:port]`.
public struct LoginStorage {
    /// Where a login was stored or a logout erased.
    public enum Place: Equatable, Sendable {
        /// An external helper, `docker-credential-<name>`.
        case credentialHelper(String)
        /// Our keyring, through `credsStore`/`credHelpers` set to `ko`.
        case keyring
        /// config.json `auths`, unencrypted.
        case configFile(path: String)
    }

    /// What `store` did.
    public struct LoginOutcome: Equatable, Sendable {
        /// The key the credential was stored under.
        public var server: String
        public var place: Place
        /// The Docker CLI's warning when the secret went into config.json
        /// unencrypted; print it to stderr.
        public var warning: String?
    }

    /// What `erase` did.
    public struct LogoutOutcome: Equatable, Sendable {
        /// The key the credential was stored under.
        public var server: String
        public var place: Place
        /// False when there was nothing to remove ("Not logged in to …").
        public var removed: Bool
    }

    public let configPath: String
    /// The store behind the helper name `ko`.
    public let keyring: CredentialStore
    public let helperTimeout: Double
    private let environment: [String: String]

    /// Storage for the config the environment names (`DOCKER_CONFIG`,
    /// `HOME`), or for `configPath` when given. External helpers are found on
    /// the environment's PATH and run with that environment.
    public init(configPath: String? = nil,
                environment: [String: String] = ProcessInfo.processInfo.environment,
                keyring: CredentialStore = KeyringStore(),
                helperTimeout: Double = 60) throws {
        self.configPath = try configPath ?? DockerConfigFile.defaultPath(environment: environment)
        self.keyring = keyring
        self.helperTimeout = helperTimeout
        self.environment = environment
    }

    /// The docker warning for credentials kept in config.json.
    public static func unencryptedWarning(path: String) -> String {
        "WARNING! Your credentials are stored unencrypted in '\(path)'.\n"
            + "Configure a credential helper to remove this warning. See\n"
            + "https://docs.docker.com/go/credential-store/"
    }

    /// Stores `credential` (already verified against the registry) for `registry`.
    @discardableResult
    public func store(_ credential: Credential, forRegistry registry: String) throws -> LoginOutcome {
        let server = ServerAddress(registry).registryKey
        let config = try DockerConfigFile.load(path: configPath)
        let location = try config.credentialLocation(forServer: server, environment: environment)

        guard case let .helper(name) = location else {
            try DockerConfigFile.update(path: configPath) { config in
                var entry = try config.authEntry(forKey: server) ?? AuthEntry()
                entry.setCredential(credential)
                try config.setAuthEntry(entry, forKey: server)
            }
            return LoginOutcome(server: server, place: .configFile(path: configPath),
                                warning: LoginStorage.unencryptedWarning(path: configPath))
        }

        try store(named: name).store(credential, forServer: server)
        // As the Docker CLI does: keep an `auths` entry without secrets (so
        // the registry shows as logged in) and record a default store that
        // was detected rather than configured. Beyond it: drop plaintext
        // copies under every spelling of the registry, not just the key.
        try DockerConfigFile.update(path: configPath) { config in
            for key in try config.authKeys(matching: server) + [server] where !ServerAddress(key).isRepositoryScoped {
                var entry = try config.authEntry(forKey: key) ?? AuthEntry()
                entry.clearCredential()
                try config.setAuthEntry(entry, forKey: key)
            }
            if try config.credentialHelper(forServer: server) == nil, try config.credentialsStore() == nil {
                config.setCredentialsStore(name)
            }
        }
        return LoginOutcome(server: server, place: place(forHelper: name), warning: nil)
    }

    /// Removes the credential for `registry` from where it is kept, and its
    /// `auths` entries (the key and its `http://` and `https://` spellings).
    @discardableResult
    public func erase(registry: String) throws -> LogoutOutcome {
        let address = ServerAddress(registry)
        let server = address.registryKey
        let config = try DockerConfigFile.load(path: configPath)
        let location = try config.credentialLocation(forServer: server, environment: environment)
        let variants = address.isDockerHub ? [server] : [server, "http://" + server, "https://" + server]

        var removed = false
        var place = Place.configFile(path: configPath)
        if case let .helper(name) = location {
            place = self.place(forHelper: name)
            let store = store(named: name)
            if let keyring = store as? KeyringStore {
                removed = try keyring.eraseEntries(server: server) > 0
            } else {
                for variant in variants {
                    if try store.credential(forServer: variant) != nil { removed = true }
                    try store.erase(server: variant)
                }
            }
        }
        try DockerConfigFile.update(path: configPath) { config in
            for key in try config.authKeys() {
                let keyAddress = ServerAddress(key)
                guard variants.contains(key)
                    || !keyAddress.isRepositoryScoped && keyAddress.registryKey == server else { continue }
                if try config.authEntry(forKey: key)?.hasCredential == true { removed = true }
                try config.setAuthEntry(nil, forKey: key)
            }
        }
        return LogoutOutcome(server: server, place: place, removed: removed)
    }

    private func place(forHelper name: String) -> Place {
        name == DockerConfigFile.inProcessHelperName ? .keyring : .credentialHelper(name)
    }

    private func store(named name: String) -> CredentialStore {
        if name == DockerConfigFile.inProcessHelperName { return keyring }
        return CredentialHelperProgram(name: name, timeout: helperTimeout, environment: environment)
    }
}
