import Foundation
import Testing
import TestSupport

/// `ko build` as a user runs it: the real binary, a real docker-registry,
/// credentials in config.json, the image pulled back with skopeo and run.
@Suite(.serialized)
struct KoBuildEndToEndTests {
    /// The environment `ko` runs in for one test: the user's PATH and Go
    /// caches, a private DOCKER_CONFIG, and where to push.
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

    static let referencePattern = #/^[^@\s]+@sha256:[0-9a-f]{64}$/#

    @Test func buildPushesToABasicAuthRegistryAndTheImageRuns() throws {
        let registry = try RegistryFixture.start(auth: .basic())
        let dockerConfig = try DockerConfigDirectory()
        try dockerConfig.writeAuths([registry.host: (try #require(registry.username),
                                                      try #require(registry.password))])
        let base = try BaseImages.seed(host: registry.host, authFile: dockerConfig.configFile)
        let module = try GoModuleFixture()
        let env = Self.environment(dockerConfig: dockerConfig, repo: "\(registry.host)/apps", base: base)

        let first = try ProcessRunner.run(Products.ko, ["build", "./cmd/greeter"], environment: env,
                                          directory: module.root)
        #expect(first.status == 0, "ko build failed: \(first.errorOutput)")
        let lines = first.output.split(separator: "\n")
        try #require(lines.count == 1, "expected exactly one reference on stdout, got: \(first.output)")
        let reference = String(lines[0])
        #expect(reference.wholeMatch(of: Self.referencePattern) != nil)
        // ko's default name: <repo>/<basename>-<md5 of the import path>.
        #expect(reference.hasPrefix("\(registry.host)/apps/greeter-"))
        #expect(!first.errorOutput.contains(try #require(registry.password)))

        let outcome = try ImageRunner.run(reference, authFile: dockerConfig.configFile)
        #expect(outcome.status == 0, "image failed: \(outcome.errorOutput)")
        #expect(outcome.output == GoModuleFixture.expectedOutput())

        let second = try ProcessRunner.run(Products.ko, ["build", "./cmd/greeter"], environment: env,
                                           directory: module.root)
        #expect(second.status == 0, "second ko build failed: \(second.errorOutput)")
        #expect(second.output == first.output, "a rebuild of unchanged input must give the same digest")
    }

    @Test func buildPushesThroughATokenAuthRegistry() throws {
        let registry = try RegistryFixture.start(auth: .token())
        let dockerConfig = try DockerConfigDirectory()
        try dockerConfig.writeAuths([registry.host: (try #require(registry.username),
                                                      try #require(registry.password))])
        let base = try BaseImages.seed(host: registry.host, docker: true, authFile: dockerConfig.configFile)
        let module = try GoModuleFixture()
        let env = Self.environment(dockerConfig: dockerConfig, repo: "\(registry.host)/team", base: base)

        let result = try ProcessRunner.run(Products.ko, ["build", "--bare", "-t", "v1", "./cmd/greeter"],
                                           environment: env, directory: module.root)
        #expect(result.status == 0, "ko build failed: \(result.errorOutput)")
        let reference = result.output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(reference.hasPrefix("\(registry.host)/team:v1@sha256:"))

        let inspect = try ProcessRunner.check("skopeo", ["inspect", "--raw", "--tls-verify=false", "--authfile",
                                                          dockerConfig.configFile, "docker://\(registry.host)/team:v1"])
        // A Docker base keeps Docker media types.
        #expect(inspect.output.contains("application/vnd.docker.distribution.manifest.v2+json"))
        let outcome = try ImageRunner.run(reference, authFile: dockerConfig.configFile)
        #expect(outcome.output == GoModuleFixture.expectedOutput())
    }

    @Test func aLibraryPackageIsRefused() throws {
        let module = try GoModuleFixture()
        let dockerConfig = try DockerConfigDirectory()
        let env = Self.environment(dockerConfig: dockerConfig, repo: "127.0.0.1:1/unused", base: "127.0.0.1:1/base:latest")
        let result = try ProcessRunner.run(Products.ko, ["build", "./internal/words"], environment: env,
                                           directory: module.root)
        #expect(result.status == 1)
        #expect(result.output.isEmpty)
        #expect(result.errorOutput.contains("is not a command: it is 'package words'"))
        #expect(result.errorOutput.contains("package main"))
    }

    @Test func anUnsetDockerRepoSaysHowToSetIt() throws {
        let module = try GoModuleFixture()
        let dockerConfig = try DockerConfigDirectory()
        let env = Self.environment(dockerConfig: dockerConfig, repo: nil, base: "127.0.0.1:1/base:latest")
        let result = try ProcessRunner.run(Products.ko, ["build", "./cmd/greeter"], environment: env,
                                           directory: module.root)
        #expect(result.status == 1)
        #expect(result.errorOutput.contains("KO_DOCKER_REPO is not set"))
        #expect(result.errorOutput.contains("export KO_DOCKER_REPO="))
    }

    @Test func aCompileErrorShowsGoOutput() throws {
        let module = try GoModuleFixture()
        try module.directory.write("cmd/greeter/broken.go", "package main\n\nfunc broken() { undefinedThing() }\n")
        let dockerConfig = try DockerConfigDirectory()
        let env = Self.environment(dockerConfig: dockerConfig, repo: "127.0.0.1:1/unused", base: "127.0.0.1:1/base:latest")
        let result = try ProcessRunner.run(Products.ko, ["build", "--push=false", "./cmd/greeter"],
                                           environment: env, directory: module.root)
        #expect(result.status == 1)
        #expect(result.errorOutput.contains("undefined: undefinedThing"))
    }

    @Test func anUnknownFlagIsAUsageError() throws {
        let result = try ProcessRunner.run(Products.ko, ["build", "--no-such-flag"])
        #expect(result.status == 64)
        #expect(result.errorOutput.contains("unknown flag --no-such-flag"))
    }
}
