import Foundation
import Testing
import TestSupport

/// A hand-edited config.json with `auths` written twice: the real Docker CLI
/// (Go's `encoding/json`) merges the two, later keys winning; `ko login` and
/// `ko logout` must keep the same credentials and write one merged `auths`.
@Suite(.serialized)
struct ConfigFileRepeatedMembersTests {
    static func auth(_ user: String, _ password: String) -> String {
        Data("\(user):\(password)".utf8).base64EncodedString()
    }

    /// `a.example` is in both objects; the later entry wins.
    static let start = """
        {"auths": {"a.example": {"auth": "\(auth("old", "stale"))"},
                   "c.example": {"auth": "\(auth("cee", "c-pw"))"}},
         "auths": {"b.example": {"auth": "\(auth("bee", "b-pw"))"},
                   "a.example": {"auth": "\(auth("ay", "a-pw"))"}}}
        """

    @Test func loginAndLogoutKeepEveryRegistryLikeTheDockerCLI() throws {
        let registry = try DockerLoginRegistry()
        let docker = try LoginFixture.headless(config: Self.start)
        let ko = try LoginFixture.headless(config: Self.start)
        let input = Array((registry.password + "\n").utf8)
        let login = ["login", registry.host, "-u", registry.username, "--password-stdin"]

        let dockerLogin = try ProcessRunner.run("docker", login, input: input, environment: Self.docker(docker))
        try #require(dockerLogin.status == 0, "docker login: \(dockerLogin.errorOutput)")
        let koLogin = try ProcessRunner.run(Products.ko, login, input: input, environment: ko.environment)
        try #require(koLogin.status == 0, "ko login: \(koLogin.errorOutput)")

        let expected: [String: (String, String)] = [
            "a.example": ("ay", "a-pw"), "b.example": ("bee", "b-pw"), "c.example": ("cee", "c-pw"),
            registry.host: (registry.username, registry.password),
        ]
        for machine in [docker, ko] {
            let name = machine === docker ? "docker" : "ko"
            #expect(try machine.auths().keys.sorted() == expected.keys.sorted(), "\(name)")
            for (key, credential) in expected {
                let stored = try machine.storedAuth(key)
                #expect(stored?.username == credential.0 && stored?.password == credential.1, "\(name): \(key)")
            }
            #expect(try Self.text(machine).components(separatedBy: #""auths""#).count == 2,
                    "\(name) wrote one auths member")
        }
        #expect(try NSDictionary(dictionary: ko.config()) == NSDictionary(dictionary: docker.config()))

        let logout = ["logout", registry.host]
        let dockerLogout = try ProcessRunner.run("docker", logout, environment: Self.docker(docker))
        try #require(dockerLogout.status == 0, "docker logout: \(dockerLogout.errorOutput)")
        let koLogout = try ProcessRunner.run(Products.ko, logout, environment: ko.environment)
        try #require(koLogout.status == 0, "ko logout: \(koLogout.errorOutput)")
        for machine in [docker, ko] {
            #expect(try machine.auths().keys.sorted() == ["a.example", "b.example", "c.example"])
            #expect(try machine.storedAuth("c.example")?.password == "c-pw")
        }
        #expect(try NSDictionary(dictionary: ko.config()) == NSDictionary(dictionary: docker.config()))
    }

    /// The fixture's environment with no Docker engine to reach.
    private static func docker(_ machine: LoginFixture) -> [String: String] {
        machine.environment.merging(["DOCKER_HOST": "unix:///nonexistent"]) { _, new in new }
    }

    private static func text(_ machine: LoginFixture) throws -> String {
        let bytes = try #require(machine.configBytes(), "no config.json in \(machine.dockerConfig.path)")
        return String(decoding: bytes, as: UTF8.self)
    }
}
