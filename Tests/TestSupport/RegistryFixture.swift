import Foundation

/// A real `docker-registry` (distribution 2.8) on a free 127.0.0.1 port with
/// its own storage directory, optionally behind htpasswd Basic auth or a token
/// server.
///
///     let registry = try RegistryFixture.start(auth: .basic())
///     registry.host          // "127.0.0.1:PORT"
///     registry.username      // credentials the registry accepts
///
/// The registry (and token server) stop when the fixture is released, and at
/// process exit even if the test crashes.
public final class RegistryFixture: @unchecked Sendable {
    /// How clients must authenticate.
    public enum Auth: Sendable {
        /// No authentication.
        case none
        /// htpasswd (bcrypt) Basic authentication for one account.
        case basic(user: String = "ko-user", password: String = RegistryFixture.randomPassword())
        /// Token authentication through a `TokenServer` for one account.
        case token(user: String = "ko-user", password: String = RegistryFixture.randomPassword(),
                   expiresIn: Int = 300)
    }

    /// `127.0.0.1:PORT`.
    public let host: String
    public let port: Int
    public let username: String?
    public let password: String?
    /// The token server, for `.token` registries.
    public let tokenServer: TokenServer?
    /// The fault proxy the registry sends clients through to its token server,
    /// when started with `faultyTokenServer`.
    public let tokenProxy: FaultProxy?
    /// The registry's storage, config and logs.
    public let directory: String
    private let process: ProcessFixture

    /// Starts a registry and waits until it answers. With `faultyTokenServer`
    /// (token auth only), the realm is a `FaultProxy` in front of the token
    /// server, and the proxy captures the tokens it forwards.
    public static func start(auth: Auth = .none, faultyTokenServer: Bool = false) throws -> RegistryFixture {
        try RegistryFixture(auth: auth, faultyTokenServer: faultyTokenServer)
    }

    private init(auth: Auth, faultyTokenServer: Bool) throws {
        var tokenProxy: FaultProxy?
        directory = try ProcessFixture.temporaryDirectory("ko-registry")
        let storage = directory + "/storage"
        try FileManager.default.createDirectory(atPath: storage, withIntermediateDirectories: true)

        var authSection = ""
        switch auth {
        case .none:
            username = nil
            password = nil
            tokenServer = nil
        case let .basic(user, secret):
            username = user
            password = secret
            tokenServer = nil
            // -i reads the password from stdin: it never appears in a process list.
            let entry = try ProcessRunner.check("htpasswd", ["-B", "-i", "-n", user], input: Array(secret.utf8))
            let htpasswd = directory + "/htpasswd"
            try Data(entry.standardOutput).write(to: URL(fileURLWithPath: htpasswd))
            authSection = """
            auth:
              htpasswd:
                realm: ko-test
                path: \(htpasswd)
            """
        case let .token(user, secret, expiresIn):
            username = user
            password = secret
            let server = try TokenServer(directory: directory, username: user, password: secret,
                                         expiresIn: expiresIn)
            tokenServer = server
            var realm = server.realm
            if faultyTokenServer {
                let proxy = try FaultProxy(upstreamPort: server.port, capturesTokens: true)
                tokenProxy = proxy
                realm = "http://\(proxy.host)/token"
            }
            authSection = """
            auth:
              token:
                realm: \(realm)
                service: \(server.service)
                issuer: \(server.issuer)
                rootcertbundle: \(server.certificatePath)
            """
        }

        self.tokenProxy = tokenProxy
        port = try Ports.free()
        host = "127.0.0.1:\(port)"
        let config = """
        version: 0.1
        log:
          level: info
        storage:
          filesystem:
            rootdirectory: \(storage)
          delete:
            enabled: true
        http:
          addr: 127.0.0.1:\(port)
          secret: \(RegistryFixture.randomPassword())
        \(authSection)

        """
        let configPath = directory + "/config.yml"
        try Data(config.utf8).write(to: URL(fileURLWithPath: configPath))
        process = try ProcessFixture(name: "docker-registry", executable: "docker-registry",
                                     arguments: ["serve", configPath], logPath: directory + "/registry.log")
        try process.waitUntilListening(port: port)
    }

    deinit {
        process.stop()
        tokenServer?.stop()
        tokenProxy?.stop()
    }

    /// Stops the registry and its token server now.
    public func stop() {
        process.stop()
        tokenServer?.stop()
        tokenProxy?.stop()
    }

    /// The registry's log, for failure messages.
    public func logTail() -> String { process.logTail() }

    /// A skopeo/containers auth file (`--authfile`) holding this registry's
    /// credentials, so they never go on a command line. Nil without auth.
    public func writeAuthFile() throws -> String? {
        guard let username, let password else { return nil }
        let token = Data("\(username):\(password)".utf8).base64EncodedString()
        let json = #"{"auths":{"\#(host)":{"auth":"\#(token)"}}}"#
        let path = directory + "/auth.json"
        guard FileManager.default.createFile(atPath: path, contents: Data(json.utf8),
                                             attributes: [.posixPermissions: 0o600]) else {
            throw ProcessFixtureError.launchFailed(command: "auth file", reason: "cannot write \(path)")
        }
        return path
    }

    /// A random password of URL-safe characters.
    public static func randomPassword() -> String {
        let alphabet = Array("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        return String((0..<24).map { _ in alphabet[Int.random(in: 0..<alphabet.count)] })
    }
}
