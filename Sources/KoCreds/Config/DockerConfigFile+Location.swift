import KoProcess

/// Where the Docker CLI keeps the credential of one registry.
public enum CredentialLocation: Equatable, Sendable {
    /// A credential helper: `credHelpers[server]`, else `credsStore`. The
    /// name `ko` means our keyring, used in-process.
    case helper(String)
    /// The `auths` section of config.json, unencrypted.
    case configFile
}

extension DockerConfigFile {
    /// The helper name that means our own keyring code, run in-process.
    public static let inProcessHelperName = "ko"

    /// Where the Docker CLI would keep the credential of `server` (a registry
    /// key such as `127.0.0.1:5000` or `https://index.docker.io/v1/`).
    ///
    /// `credHelpers[server]` (also under another spelling of the same
    /// registry) wins, then `credsStore`, then `auths`. Like the Docker CLI,
    /// a config without any credential settings uses the platform default
    /// helper when it is installed on the environment's PATH (see
    /// `detectDefaultStore`).
    public func credentialLocation(forServer server: String, environment: [String: String]) throws
        -> CredentialLocation {
        if let helper = try credentialHelper(forServer: server) { return .helper(helper) }
        if let store = try effectiveCredentialsStore(environment: environment) { return .helper(store) }
        return .configFile
    }

    /// The `credHelpers` entry for `server`: the exact key, else a key naming
    /// the same whole registry (`https://host`, `Host`).
    public func credentialHelper(forServer server: String) throws -> String? {
        let helpers = try credentialHelpers()
        if let exact = helpers.first(where: { $0.registry == server }), !exact.helper.isEmpty {
            return exact.helper
        }
        let wanted = ServerAddress(server)
        for entry in helpers where !entry.helper.isEmpty {
            let address = ServerAddress(entry.registry)
            if !address.isRepositoryScoped && address.registryKey == wanted.registryKey { return entry.helper }
        }
        return nil
    }

    /// `credsStore`, or, when the file holds no credential settings at all,
    /// the default helper the Docker CLI would pick on this machine.
    public func effectiveCredentialsStore(environment: [String: String]) throws -> String? {
        if let store = try credentialsStore() { return store }
        guard try credentialHelpers().isEmpty, try authKeys().isEmpty else { return nil }
        return DockerConfigFile.detectDefaultStore(environment: environment)
    }

    /// The Docker CLI's Linux default: `pass` if the `pass` program is
    /// installed, else `secretservice`, provided its helper is installed.
    ///
    /// Better than the Docker CLI: `secretservice` is only picked when a
    /// session bus is there to reach it (DBUS_SESSION_BUS_ADDRESS, or
    /// `$XDG_RUNTIME_DIR/bus`). On a headless CI machine with the helper
    /// package installed, docker's own choice makes every login fail; here
    /// such a login falls back to `auths`, with the unencrypted warning.
    static func detectDefaultStore(environment: [String: String]) -> String? {
        let searchPath = environment["PATH"]
        let hasPass = ChildProcess.resolve("pass", searchPath: searchPath) != nil
        if !hasPass && !ProcessEnvironment.hasSessionBus(environment) { return nil }
        let candidate = hasPass ? "pass" : "secretservice"
        guard ChildProcess.resolve("docker-credential-" + candidate, searchPath: searchPath) != nil
        else { return nil }
        return candidate
    }
    /// The `auths` keys that name `server`'s registry, best first: the exact
    /// key, other spellings of the whole registry (`https://host/v1/`,
    /// `http://Host`), and last, as the Docker CLI also accepts them, keys
    /// with a repository path on that host.
    public func authKeys(matching server: String) throws -> [String] {
        let wanted = ServerAddress(server).registryKey
        let keys = try authKeys()
        var result = keys.filter { $0 == server }
        var scoped: [String] = []
        for key in keys where key != server {
            let address = ServerAddress(key)
            guard address.registryKey == wanted else { continue }
            if address.isRepositoryScoped { scoped.append(key) } else { result.append(key) }
        }
        return result + scoped
    }
}
