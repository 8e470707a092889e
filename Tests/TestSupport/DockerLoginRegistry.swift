import Foundation

/// A `docker-registry` on a free loopback port that wants basic auth from one
/// htpasswd user: the smallest registry `docker login` can log in to.
public final class DockerLoginRegistry: @unchecked Sendable {
    public let directory: TemporaryDirectory
    public let port: Int
    public let username: String
    public let password: String
    private let fixture: ProcessFixture

    /// `host:port` of the registry.
    public var host: String { "127.0.0.1:\(port)" }

    /// Starts the registry. The password goes to htpasswd on stdin, never argv.
    public init(username: String = "ko-user", password: String = "pw-\(UUID().uuidString)") throws {
        self.username = username
        self.password = password
        directory = try TemporaryDirectory("ko-login-registry")
        let hashed = try ProcessRunner.check("htpasswd", ["-B", "-i", "-n", username], input: Array(password.utf8))
        try directory.write("htpasswd", hashed.output, mode: 0o600)
        port = try Ports.free()
        let config = try directory.write("config.yml", """
            version: 0.1
            log:
              level: warn
            storage:
              filesystem:
                rootdirectory: \(directory.path)/storage
            http:
              addr: 127.0.0.1:\(port)
            auth:
              htpasswd:
                realm: ko-test
                path: \(directory.path)/htpasswd
            """)
        fixture = try ProcessFixture(name: "docker-registry", executable: "docker-registry",
                                     arguments: ["serve", config], logPath: directory.path + "/registry.log")
        try fixture.waitUntilListening(port: port)
    }

    /// The registry's log, for failure messages.
    public func logTail() -> String { fixture.logTail() }
}
