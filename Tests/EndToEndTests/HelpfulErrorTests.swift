import Foundation
import Testing
import TestSupport

/// The errors a new user meets first, each saying what failed, on what, and
/// what to do next.
@Suite(.serialized)
struct HelpfulErrorTests {
    static func environment(dockerConfig: DockerConfigDirectory, repo: String?, base: String?) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        for key in ["KO_DOCKER_REPO", "KO_DEFAULTBASEIMAGE", "KO_CONFIG_PATH", "GOOS", "GOARCH"] {
            env.removeValue(forKey: key)
        }
        env["DOCKER_CONFIG"] = dockerConfig.path
        if let repo { env["KO_DOCKER_REPO"] = repo }
        if let base { env["KO_DEFAULTBASEIMAGE"] = base }
        return env
    }

    @Test func anUnsetDockerRepoShowsHowToSetItAndHowToDoWithout() throws {
        let module = try GoModuleFixture()
        let env = Self.environment(dockerConfig: try DockerConfigDirectory(), repo: nil, base: "127.0.0.1:1/b")
        let result = try ProcessRunner.run(Products.ko, ["build", "./cmd/greeter"], environment: env,
                                           directory: module.root)
        #expect(result.status == 1)
        #expect(result.output.isEmpty)
        #expect(result.errorOutput.hasPrefix("Error: KO_DOCKER_REPO is not set"))
        #expect(result.errorOutput.contains("export KO_DOCKER_REPO="))
        #expect(result.errorOutput.contains("--push=false"))
    }

    @Test func a401NamesTheRegistryAndTheLoginCommand() throws {
        let registry = try RegistryFixture.start(auth: .basic())
        let seeding = try DockerConfigDirectory()
        try seeding.writeAuths([registry.host: (try #require(registry.username), try #require(registry.password))])
        let base = try BaseImages.seed(host: registry.host, authFile: seeding.configFile)
        let module = try GoModuleFixture()

        // No credentials at all.
        let anonymous = Self.environment(dockerConfig: try DockerConfigDirectory(), repo: "\(registry.host)/apps",
                                         base: base)
        let refused = try ProcessRunner.run(Products.ko, ["build", "./cmd/greeter"], environment: anonymous,
                                            directory: module.root)
        #expect(refused.status == 1)
        #expect(refused.errorOutput.contains("registry \(registry.host) refused the pull of base/static"),
                "stderr: \(refused.errorOutput)")
        #expect(refused.errorOutput.contains("ko login \(registry.host)"))

        // Credentials the registry does not accept.
        let wrong = try DockerConfigDirectory()
        try wrong.writeAuths([registry.host: (try #require(registry.username), "not-the-password")])
        let rejected = try ProcessRunner.run(Products.ko, ["build", "./cmd/greeter"],
                                             environment: Self.environment(dockerConfig: wrong,
                                                                           repo: "\(registry.host)/apps", base: base),
                                             directory: module.root)
        #expect(rejected.status == 1)
        #expect(rejected.errorOutput.contains("the credentials for \(registry.host) were not accepted"),
                "stderr: \(rejected.errorOutput)")
        #expect(rejected.errorOutput.contains("run 'ko login \(registry.host)' to replace them"))
        #expect(!rejected.errorOutput.contains("not-the-password"))
    }

    @Test func aHeadlessKeyringNamesTheMissingPiece() throws {
        let home = try TemporaryDirectory("ko-headless")
        let dockerConfig = try DockerConfigDirectory()
        try dockerConfig.directory.write("config.json", #"{"credsStore": "ko"}"#)
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "DBUS_SESSION_BUS_ADDRESS")
        env["XDG_RUNTIME_DIR"] = home.path
        env["HOME"] = home.path
        env["DOCKER_CONFIG"] = dockerConfig.path

        // The helper answers on stdout, as the protocol wants.
        let helper = try ProcessRunner.run(Products.credentialHelper, ["get"], input: Array("example.com".utf8),
                                           environment: env)
        #expect(helper.status == 1)
        #expect(helper.output.contains("no D-Bus session bus"), "helper said: \(helper.output)")
        #expect(helper.output.contains("DBUS_SESSION_BUS_ADDRESS"))
        #expect(helper.output.contains("dbus-run-session"))

        // ko login checks the password first, then fails to store it, saying why.
        let registry = try RegistryFixture.start(auth: .basic())
        let login = try ProcessRunner.run(Products.ko, ["login", registry.host, "-u", try #require(registry.username),
                                                        "--password-stdin"],
                                          input: Array(try #require(registry.password).utf8), environment: env)
        #expect(login.status == 1)
        #expect(login.errorOutput.contains("no D-Bus session bus for the keyring"), "stderr: \(login.errorOutput)")
        #expect(login.errorOutput.contains("gnome-keyring-daemon"))
        #expect(!login.errorOutput.contains(try #require(registry.password)))
    }
}
