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
        let (registry, docker, ko) = try LoginFixture.logInWithBoth(config: Self.start)

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
            #expect(try machine.configText().components(separatedBy: #""auths""#).count == 2,
                    "\(name) wrote one auths member")
        }
        #expect(try NSDictionary(dictionary: ko.config()) == NSDictionary(dictionary: docker.config()))

        let logout = ["logout", registry.host]
        let dockerLogout = try ProcessRunner.run("docker", logout, environment: docker.dockerCLIEnvironment)
        try #require(dockerLogout.status == 0, "docker logout: \(dockerLogout.errorOutput)")
        let koLogout = try ProcessRunner.run(Products.ko, logout, environment: ko.environment)
        try #require(koLogout.status == 0, "ko logout: \(koLogout.errorOutput)")
        for machine in [docker, ko] {
            #expect(try machine.auths().keys.sorted() == ["a.example", "b.example", "c.example"])
            #expect(try machine.storedAuth("c.example")?.password == "c-pw")
        }
        #expect(try NSDictionary(dictionary: ko.config()) == NSDictionary(dictionary: docker.config()))
    }
}
