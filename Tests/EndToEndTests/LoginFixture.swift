import Foundation
import Testing
import TestSupport

/// One user's machine for the `ko login` tests: a Docker config directory,
/// the environment the built `ko` runs in, and, for keyring tests, a private
/// D-Bus session with its own gnome-keyring.
///
/// A headless fixture has no session bus at all (as on a CI machine), so a
/// config.json without credential settings keeps logins in `auths`; it never
/// reaches the keyring the test runner itself may be running in.
final class LoginFixture: @unchecked Sendable {
    let dockerConfig: DockerConfigDirectory
    let session: KeyringSession?
    let environment: [String: String]
    private let runtimeDirectory: TemporaryDirectory?

    /// Variables that would make `ko` push or build elsewhere than the test says.
    static let foreignVariables = ["KO_DOCKER_REPO", "KO_DEFAULTBASEIMAGE", "KO_CONFIG_PATH", "GOOS", "GOARCH",
                                   "DOCKER_CONFIG", "DBUS_SESSION_BUS_ADDRESS", "GNOME_KEYRING_CONTROL",
                                   "DISPLAY", "WAYLAND_DISPLAY"]

    private init(session: KeyringSession?, config: String?) throws {
        dockerConfig = try DockerConfigDirectory()
        self.session = session
        var environment: [String: String]
        if let session {
            runtimeDirectory = nil
            environment = session.environment(extraPath: [Products.binDirectory])
        } else {
            let runtime = try TemporaryDirectory("ko-no-bus")
            runtimeDirectory = runtime
            environment = ProcessInfo.processInfo.environment
            environment["XDG_RUNTIME_DIR"] = runtime.path
            environment["PATH"] = Products.binDirectory + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        }
        for name in LoginFixture.foreignVariables { environment[name] = nil }
        if let session { environment["DBUS_SESSION_BUS_ADDRESS"] = session.busAddress }
        environment["DOCKER_CONFIG"] = dockerConfig.path
        self.environment = environment
        if let config { try dockerConfig.directory.write("config.json", config, mode: 0o600) }
    }

    /// No session bus, and config.json as given (none by default).
    static func headless(config: String? = nil) throws -> LoginFixture {
        try LoginFixture(session: nil, config: config)
    }

    /// A fresh unlocked keyring, and config.json as given.
    static func keyring(config: String? = #"{"credsStore":"ko"}"#) throws -> LoginFixture {
        try LoginFixture(session: try KeyringSession(), config: config)
    }

    /// This machine's environment for the real Docker CLI, which must find
    /// no engine to talk to (it logs in client-side).
    var dockerCLIEnvironment: [String: String] {
        environment.merging(["DOCKER_HOST": "unix:///nonexistent"]) { _, new in new }
    }

    /// config.json as text; fails the test when there is none.
    func configText() throws -> String {
        let bytes = try #require(configBytes(), "no config.json in \(dockerConfig.path)")
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `docker login` and `ko login` to one fresh registry, each on a machine
    /// of its own whose config.json starts as `config`.
    static func logInWithBoth(config: String) throws
        -> (registry: DockerLoginRegistry, docker: LoginFixture, ko: LoginFixture) {
        let registry = try DockerLoginRegistry()
        let docker = try LoginFixture.headless(config: config)
        let ko = try LoginFixture.headless(config: config)
        let input = Array((registry.password + "\n").utf8)
        let login = ["login", registry.host, "-u", registry.username, "--password-stdin"]
        let dockerLogin = try ProcessRunner.run("docker", login, input: input, environment: docker.dockerCLIEnvironment)
        try #require(dockerLogin.status == 0, "docker login: \(dockerLogin.errorOutput)")
        let koLogin = try ProcessRunner.run(Products.ko, login, input: input, environment: ko.environment)
        try #require(koLogin.status == 0, "ko login: \(koLogin.errorOutput)")
        return (registry, docker, ko)
    }

    // MARK: Running ko

    /// Runs the built `ko` with `arguments` in this fixture's environment.
    @discardableResult
    func ko(_ arguments: [String], input: String? = nil, directory: String? = nil,
            adding extra: [String: String] = [:]) throws -> ProcessResult {
        try ProcessRunner.run(Products.ko, arguments, input: input.map { Array($0.utf8) },
                              environment: environment.merging(extra) { _, new in new }, directory: directory)
    }

    /// `ko login SERVER -u USER --password-stdin`, the password piped with a
    /// newline as `echo` would.
    @discardableResult
    func login(_ server: String, username: String, password: String,
               extraArguments: [String] = []) throws -> ProcessResult {
        try ko(["login", server, "-u", username, "--password-stdin"] + extraArguments, input: password + "\n")
    }

    /// Logs in with the registry's own account and requires success.
    func login(_ registry: RegistryFixture) throws {
        let result = try login(registry.host, username: try #require(registry.username),
                               password: try #require(registry.password))
        try #require(result.status == 0, "ko login \(registry.host) failed: \(result.errorOutput)")
        #expect(result.output == "Login Succeeded\n")
    }

    /// The environment for `ko build` pushing to `repo` on top of `base`.
    func buildEnvironment(repo: String, base: String) -> [String: String] {
        ["KO_DOCKER_REPO": repo, "KO_DEFAULTBASEIMAGE": base]
    }

    // MARK: Reading what was stored

    /// config.json's bytes, or nil when there is no file.
    func configBytes() -> Data? {
        FileManager.default.contents(atPath: dockerConfig.configFile)
    }

    /// config.json parsed; fails the test when it is not a JSON object.
    func config() throws -> [String: Any] {
        let data = try #require(configBytes(), "no config.json in \(dockerConfig.path)")
        let object = try JSONSerialization.jsonObject(with: data)
        return try #require(object as? [String: Any], "config.json is not a JSON object")
    }

    /// The `auths` section (empty when absent).
    func auths() throws -> [String: [String: Any]] {
        try config()["auths"] as? [String: [String: Any]] ?? [:]
    }

    /// The username and password in `auths[key].auth`, or nil without one.
    func storedAuth(_ key: String) throws -> (username: String, password: String)? {
        guard let encoded = try auths()[key]?["auth"] as? String, !encoded.isEmpty else { return nil }
        let data = try #require(Data(base64Encoded: encoded), "auths[\(key)].auth is not base64")
        let text = String(decoding: data, as: UTF8.self)
        let colon = try #require(text.firstIndex(of: ":"), "auths[\(key)].auth has no colon")
        return (String(text[..<colon]), String(text[text.index(after: colon)...]))
    }

    /// The keyring's Docker items (attributes only), or [] without a keyring.
    func keyringItems() throws -> [[String: String]] {
        try session?.dockerItems() ?? []
    }

    /// The servers the keyring holds credentials for, sorted.
    func keyringServers() throws -> [String] {
        try keyringItems().compactMap { $0["attribute.server"] }.sorted()
    }

    /// The secret `docker-credential-ko get` returns for `server`, or nil.
    func keyringSecret(_ server: String) throws -> String? {
        let result = try ProcessRunner.run(Products.credentialHelper, ["get"], input: Array(server.utf8),
                                           environment: environment)
        guard result.status == 0 else { return nil }
        let object = try JSONSerialization.jsonObject(with: Data(result.standardOutput)) as? [String: Any]
        return object?["Secret"] as? String
    }
}
