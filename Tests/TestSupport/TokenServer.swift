import Foundation

/// The test token server (`token_server.py`): issues RS256 JWTs that a
/// `docker-registry` with token auth accepts, for one account.
///
/// Every request is recorded, so tests can count token fetches.
public final class TokenServer: @unchecked Sendable {
    public let port: Int
    public let issuer: String
    public let service: String
    /// The self-signed certificate the registry trusts (`rootcertbundle`).
    public let certificatePath: String
    private let logPath: String
    private let process: ProcessFixture

    /// One recorded token request. No secrets are recorded.
    public struct Request: Decodable, Sendable {
        public let method: String
        public let grantType: String?
        public let scopes: [String]
        public let service: String?
        public let status: Int
        public let account: String?
        public let authenticated: Bool?
        public let clientID: String?

        enum CodingKeys: String, CodingKey {
            case method, scopes, service, status, account, authenticated
            case grantType = "grant_type"
            case clientID = "client_id"
        }
    }

    /// Starts a token server in `directory` for `username`/`password`.
    public init(directory: String, username: String, password: String, expiresIn: Int = 300) throws {
        issuer = "ko-test-issuer"
        service = "ko-test-registry"
        certificatePath = directory + "/token-cert.pem"
        logPath = directory + "/token-requests.jsonl"
        let keyPath = directory + "/token-key.pem"
        try ProcessRunner.check("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", keyPath,
                                            "-out", certificatePath, "-days", "2", "-subj", "/CN=ko-test-token"])

        let portFile = directory + "/token-port"
        let config: [String: Any] = [
            "issuer": issuer, "service": service, "key": keyPath, "cert": certificatePath,
            "username": username, "password": password, "expires_in": expiresIn,
            "port_file": portFile, "log_file": logPath,
        ]
        let configPath = directory + "/token-config.json"
        let data = try JSONSerialization.data(withJSONObject: config)
        guard FileManager.default.createFile(atPath: configPath, contents: data,
                                             attributes: [.posixPermissions: 0o600]) else {
            throw ProcessFixtureError.launchFailed(command: "token server", reason: "cannot write \(configPath)")
        }
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)

        process = try ProcessFixture(name: "token server", executable: "python3",
                                     arguments: [try ProcessFixture.resource("token_server.py"), configPath],
                                     logPath: directory + "/token-server.log")
        port = try process.waitForPortFile(portFile)
    }

    /// `http://127.0.0.1:PORT/token`, the realm the registry sends clients to.
    public var realm: String { "http://127.0.0.1:\(port)/token" }

    /// Every request so far, oldest first.
    public func requests() throws -> [Request] {
        guard let data = FileManager.default.contents(atPath: logPath) else { return [] }
        let decoder = JSONDecoder()
        return try data.split(separator: UInt8(ascii: "\n")).map { try decoder.decode(Request.self, from: Data($0)) }
    }

    public func stop() { process.stop() }
}
