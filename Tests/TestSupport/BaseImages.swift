import Foundation

/// Seeds base images into a test registry, the way a platform team would
/// mirror one: an OCI layout written by `scripts/seed-base.py`, copied with skopeo.
public enum BaseImages {
    /// Pushes a tiny base (an index when given several platforms; OCI or Docker media types)
    /// to `host/repository:latest` and returns that reference.
    @discardableResult
    public static func seed(host: String, repository: String = "base/static",
                            platforms: [String] = ["linux/amd64"],
                            docker: Bool = false, authFile: String?) throws -> String {
        let layout = try TemporaryDirectory("ko-base")
        try ProcessRunner.check("python3", [Products.packageRoot + "/scripts/seed-base.py", layout.path,
                                            "--platforms", platforms.joined(separator: ",")])
        let reference = "\(host)/\(repository):latest"
        var copy = ["copy", "--quiet", "--all", "--dest-tls-verify=false"]
        // skopeo converts the OCI layout to Docker's v2s2 types on the way in.
        if docker { copy += ["--format", "v2s2"] }
        if let authFile { copy += ["--authfile", authFile] }
        copy += ["oci:\(layout.path):latest", "docker://\(reference)"]
        try ProcessRunner.check("skopeo", copy)
        return reference
    }
}

/// A Docker CLI configuration directory (`DOCKER_CONFIG`) for one test.
public final class DockerConfigDirectory: @unchecked Sendable {
    public let directory: TemporaryDirectory
    public var path: String { directory.path }
    public var configFile: String { directory.path + "/config.json" }

    public init() throws {
        directory = try TemporaryDirectory("ko-docker-config")
    }

    /// Writes `config.json` with plain `auths` entries (`auth` = base64 user:password).
    public func writeAuths(_ entries: [String: (username: String, password: String)]) throws {
        var auths: [String: Any] = [:]
        for (server, credential) in entries {
            auths[server] = ["auth": Data("\(credential.username):\(credential.password)".utf8).base64EncodedString()]
        }
        let data = try JSONSerialization.data(withJSONObject: ["auths": auths], options: [.sortedKeys])
        try directory.write("config.json", String(decoding: data, as: UTF8.self), mode: 0o600)
    }
}
