import Foundation
import Testing
import TestSupport

/// `ko login … --password-stdin`, then `ko build` pushing with what the login
/// stored: config.json auths on a headless machine, the keyring through
/// `"credsStore": "ko"`, and a registry behind a token server.
@Suite(.serialized)
struct LoginBuildTests {
    /// Builds the fixture module and checks the pushed image runs.
    func buildAndRun(_ machine: LoginFixture, registry: RegistryFixture, base: String,
                     pullAuthFile: String?) throws {
        let module = try GoModuleFixture()
        let result = try machine.ko(["build", "./cmd/greeter"], directory: module.root,
                                    adding: machine.buildEnvironment(repo: "\(registry.host)/apps", base: base))
        #expect(result.status == 0, "ko build failed: \(result.errorOutput)")
        let reference = result.output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(reference.hasPrefix("\(registry.host)/apps/greeter-"))
        #expect(!result.output.contains(try #require(registry.password)))
        #expect(!result.errorOutput.contains(try #require(registry.password)))

        let outcome = try ImageRunner.run(reference, authFile: pullAuthFile)
        #expect(outcome.status == 0, "image failed: \(outcome.errorOutput)")
        #expect(outcome.output == GoModuleFixture.expectedOutput())
    }

    @Test func loginToConfigAuthsThenBuildPushes() throws {
        let registry = try RegistryFixture.start(auth: .basic())
        let base = try BaseImages.seed(host: registry.host, authFile: try registry.writeAuthFile())
        let machine = try LoginFixture.headless()
        let password = try #require(registry.password)

        let login = try machine.login(registry.host, username: try #require(registry.username), password: password)
        #expect(login.status == 0, "ko login failed: \(login.errorOutput)")
        #expect(login.output == "Login Succeeded\n")
        #expect(login.errorOutput.contains(
            "WARNING! Your credentials are stored unencrypted in '\(machine.dockerConfig.configFile)'."))
        // --password-stdin drops the newline `echo` adds, and nothing else.
        let stored = try #require(try machine.storedAuth(registry.host))
        #expect(stored.username == registry.username && stored.password == password)
        #expect(try machine.config()["credsStore"] == nil)

        try buildAndRun(machine, registry: registry, base: base, pullAuthFile: machine.dockerConfig.configFile)
    }

    @Test func loginToTheKeyringThenBuildPushes() throws {
        let registry = try RegistryFixture.start(auth: .basic())
        let base = try BaseImages.seed(host: registry.host, authFile: try registry.writeAuthFile())
        let machine = try LoginFixture.keyring()
        let password = try #require(registry.password)

        try machine.login(registry)
        let config = try #require(machine.configBytes())
        #expect(!String(decoding: config, as: UTF8.self).contains(password))
        #expect(try machine.config()["credsStore"] as? String == "ko")
        #expect(try machine.storedAuth(registry.host) == nil)
        #expect(try machine.keyringServers() == [registry.host])
        #expect(try machine.keyringSecret(registry.host) == password)

        try buildAndRun(machine, registry: registry, base: base, pullAuthFile: try registry.writeAuthFile())
    }

    @Test func loginThroughATokenServerThenBuildPushes() throws {
        let registry = try RegistryFixture.start(auth: .token())
        let base = try BaseImages.seed(host: registry.host, authFile: try registry.writeAuthFile())
        let machine = try LoginFixture.keyring()

        try machine.login(registry)
        #expect(try machine.keyringServers() == [registry.host])
        try buildAndRun(machine, registry: registry, base: base, pullAuthFile: try registry.writeAuthFile())
    }

    @Test func withoutALoginThePushIsRefusedWithAHint() throws {
        let registry = try RegistryFixture.start(auth: .basic())
        let base = try BaseImages.seed(host: registry.host, authFile: try registry.writeAuthFile())
        let machine = try LoginFixture.keyring()
        let module = try GoModuleFixture()

        let result = try machine.ko(["build", "./cmd/greeter"], directory: module.root,
                                    adding: machine.buildEnvironment(repo: "\(registry.host)/apps", base: base))
        #expect(result.status == 1)
        #expect(result.errorOutput.contains("ko login \(registry.host)"), "stderr: \(result.errorOutput)")
    }

    @Test func anUnreachableKeyringIsAWarningAndTheRegistryIsTriedAnonymously() throws {
        let registry = try RegistryFixture.start(auth: .basic())
        let base = try BaseImages.seed(host: registry.host, authFile: try registry.writeAuthFile())
        let machine = try LoginFixture.headless(config: #"{"credsStore":"ko"}"#)
        let module = try GoModuleFixture()

        let result = try machine.ko(["build", "./cmd/greeter"], directory: module.root,
                                    adding: machine.buildEnvironment(repo: "\(registry.host)/apps", base: base))
        // The keyring's failure is a warning; the registry then refuses the
        // anonymous pull and says how to log in.
        #expect(result.status == 1)
        #expect(result.errorOutput.contains("Warning: going on without credentials for \(registry.host)"),
                "stderr: \(result.errorOutput)")
        #expect(result.errorOutput.contains("no D-Bus session bus"))
        #expect(result.errorOutput.contains("log in with 'ko login \(registry.host)'"))
    }

    @Test func aMalformedConfigIsAnErrorNotAnAnonymousPull() throws {
        let registry = try RegistryFixture.start(auth: .basic())
        let base = try BaseImages.seed(host: registry.host, authFile: try registry.writeAuthFile())
        let machine = try LoginFixture.headless(config: #"{"auths": {"#)
        let module = try GoModuleFixture()

        let result = try machine.ko(["build", "./cmd/greeter"], directory: module.root,
                                    adding: machine.buildEnvironment(repo: "\(registry.host)/apps", base: base))
        #expect(result.status == 1)
        #expect(result.errorOutput.contains("\(machine.dockerConfig.configFile) is not valid JSON"),
                "stderr: \(result.errorOutput)")
        #expect(!result.errorOutput.contains("going on without credentials"))
    }
}
