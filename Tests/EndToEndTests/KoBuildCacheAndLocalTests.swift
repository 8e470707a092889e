import Foundation
import Testing
import TestSupport

/// The layer cache across runs, and loading into a local Docker engine (-L).
@Suite(.serialized)
struct KoBuildCacheAndLocalTests {
    @Test func aSecondBuildOfAnUnchangedProgramCompressesNothing() throws {
        let registry = try RegistryFixture.start(auth: .none)
        let base = try BaseImages.seed(host: registry.host, authFile: nil)
        let module = try GoModuleFixture()
        let cache = try TemporaryDirectory("ko-cache")
        let dockerConfig = try DockerConfigDirectory()
        var env = KoBuildEndToEndTests.environment(dockerConfig: dockerConfig, repo: "\(registry.host)/c", base: base)
        env["KOCACHE"] = cache.path

        let first = try ProcessRunner.run(Products.ko, ["build", "-v", "./cmd/greeter"], environment: env,
                                          directory: module.root)
        try #require(first.status == 0, "ko build failed: \(first.errorOutput)")
        #expect(first.errorOutput.contains("layer cache stored"))
        let blobs = cache.path + "/layers/blobs"
        let stored = try FileManager.default.contentsOfDirectory(atPath: blobs).sorted()
        #expect(stored.count == 2, "the kodata and binary layers are cached")

        let second = try ProcessRunner.run(Products.ko, ["build", "-v", "./cmd/greeter"], environment: env,
                                           directory: module.root)
        try #require(second.status == 0, "ko build failed: \(second.errorOutput)")
        #expect(second.output == first.output)
        #expect(second.errorOutput.components(separatedBy: "layer cache hit").count == 3, "both layers hit")
        #expect(!second.errorOutput.contains("layer cache stored"), "nothing was compressed again")
        #expect(try FileManager.default.contentsOfDirectory(atPath: blobs).sorted() == stored)
        // Nothing was uploaded again: the rebuild only asks, with HEAD and GET.
        #expect(first.errorOutput.contains("HTTP → PATCH "), "the first build uploads")
        #expect(second.errorOutput.contains("HTTP → HEAD "))
        for method in ["POST", "PATCH", "PUT"] {
            #expect(!second.errorOutput.contains("HTTP → \(method) "), "the rebuild sent a \(method)")
        }
    }

    @Test func localLoadsTheImageIntoTheDockerEngine() throws {
        let engine = try DockerEngineFixture.start()
        let registry = try RegistryFixture.start(auth: .none)
        let base = try BaseImages.seed(host: registry.host, authFile: nil)
        let module = try GoModuleFixture()
        let dockerConfig = try DockerConfigDirectory()
        var env = KoBuildEndToEndTests.environment(dockerConfig: dockerConfig, repo: nil, base: base)
        env["DOCKER_HOST"] = engine.dockerHost
        let result = try ProcessRunner.run(Products.ko, ["build", "-L", "-B", "./cmd/greeter"], environment: env,
                                           directory: module.root)
        try #require(result.status == 0, "ko build -L failed: \(result.errorOutput)")
        let reference = result.output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(reference.hasPrefix("ko.local/greeter:"))
        let tags = try engine.images().flatMap(\.repoTags)
        #expect(tags.contains { $0.hasSuffix("ko.local/greeter:latest") })
        #expect(tags.contains { $0.hasSuffix(reference) })
    }

    @Test func noEngineIsAClearError() throws {
        let registry = try RegistryFixture.start(auth: .none)
        let base = try BaseImages.seed(host: registry.host, authFile: nil)
        let module = try GoModuleFixture()
        let dockerConfig = try DockerConfigDirectory()
        var env = KoBuildEndToEndTests.environment(dockerConfig: dockerConfig, repo: "ko.local", base: base)
        env["DOCKER_HOST"] = "unix:///nonexistent/docker.sock"
        let result = try ProcessRunner.run(Products.ko, ["build", "./cmd/greeter"], environment: env,
                                           directory: module.root)
        #expect(result.status == 1)
        #expect(result.errorOutput.contains("/nonexistent/docker.sock"))
        #expect(result.errorOutput.contains("DOCKER_HOST"))
    }
}
