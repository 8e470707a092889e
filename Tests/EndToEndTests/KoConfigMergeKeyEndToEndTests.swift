import Foundation
import Testing
import TestSupport

/// YAML merge keys in `.ko.yaml`, through the real `ko` binary.
@Suite(.serialized)
struct KoConfigMergeKeyEndToEndTests {
    @Test func ldflagsMergedIntoABuildEntrySetTheVariableTheProgramPrints() throws {
        let registry = try RegistryFixture.start(auth: .none)
        let base = try BaseImages.seed(host: registry.host, authFile: nil)
        let module = try KoBuildConfigTests.versionModule()
        try module.write(".ko.yaml", """
            x-common: &c {ldflags: ["-X main.version=M1"]}
            builds: [{<<: *c, id: show, main: ./cmd/show}]
            """)
        let dockerConfig = try DockerConfigDirectory()
        let env = KoBuildEndToEndTests.environment(dockerConfig: dockerConfig, repo: "\(registry.host)/merge",
                                                   base: base)
        let result = try ProcessRunner.run(Products.ko, ["build", "-B", "./cmd/show"],
                                           environment: env, directory: module.path)
        try #require(result.status == 0, "ko build failed: \(result.errorOutput)")
        #expect(!result.errorOutput.contains("'<<'"), "\(result.errorOutput)")
        let reference = result.output.trimmingCharacters(in: .whitespacesAndNewlines)
        let outcome = try ImageRunner.run(reference, authFile: nil)
        #expect(outcome.output.hasPrefix("version: M1\n"), "\(outcome.output)")
    }

    @Test func aMergeValueThatIsNotAMappingIsOneLineWithFileAndLine() throws {
        let module = try KoBuildConfigTests.versionModule()
        try module.write(".ko.yaml", "x: &s [a]\nbuilds:\n- id: show\n  <<: *s\n")
        let dockerConfig = try DockerConfigDirectory()
        let env = KoBuildEndToEndTests.environment(dockerConfig: dockerConfig, repo: "127.0.0.1:1/x", base: nil)
        let result = try ProcessRunner.run(Products.ko, ["build", "./cmd/show"], environment: env,
                                           directory: module.path)
        #expect(result.status == 1)
        let lines = result.errorOutput.split(separator: "\n")
        #expect(lines.count == 1, "\(result.errorOutput)")
        #expect(result.errorOutput.contains(".ko.yaml:1: a merge key '<<' needs a mapping"), "\(result.errorOutput)")
    }
}
