import Foundation
import Testing
import TestSupport

/// `ko resolve` and the kubectl hand-offs, through the real binary.
@Suite(.serialized)
struct KoResolveTests {
    static let yaml = """
        # The web tier. Comments, quoting and blank lines must survive.
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web   # trailing comment
          labels: {app: web}
        spec:
          template:
            spec:
              containers:
              - name: app
                image: ko://github.com/someone-else/greeter/cmd/greeter
              - name: sidecar
                image: "ko://github.com/someone-else/greeter/cmd/greeter"
                args: ['ko is not a reference here', "keep \\"escapes\\""]


        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: settings, labels: {app: db}}
        data:
          note: |
            ko://github.com/someone-else/greeter/cmd/greeter stays text in a block scalar
        """

    @Test func resolveChangesExactlyTheKoStrings() throws {
        let registry = try RegistryFixture.start(auth: .none)
        let base = try BaseImages.seed(host: registry.host, authFile: nil)
        let module = try GoModuleFixture()
        let file = try module.directory.write("deploy.yaml", Self.yaml)
        let dockerConfig = try DockerConfigDirectory()
        let env = KoBuildEndToEndTests.environment(dockerConfig: dockerConfig, repo: "\(registry.host)/r", base: base)
        let result = try ProcessRunner.run(Products.ko, ["resolve", "-f", file], environment: env,
                                           directory: module.root)
        try #require(result.status == 0, "ko resolve failed: \(result.errorOutput)")

        let pattern = try Regex("\(registry.host)/r/greeter-[0-9a-f]{32}@sha256:[0-9a-f]{64}")
        let references = result.output.matches(of: pattern).map { String(result.output[$0.range]) }
        #expect(references.count == 2)
        #expect(Set(references).count == 1, "one import path is built once")
        let image = try #require(references.first)
        let expected = Self.yaml
            .replacingOccurrences(of: "image: ko://github.com/someone-else/greeter/cmd/greeter",
                                  with: "image: \(image)")
            .replacingOccurrences(of: "image: \"ko://github.com/someone-else/greeter/cmd/greeter\"",
                                  with: "image: \"\(image)\"")
        #expect(result.output == expected)
    }

    @Test func aSelectorKeepsOnlyMatchingDocuments() throws {
        let module = try GoModuleFixture()
        let file = try module.directory.write("deploy.yaml", Self.yaml)
        let dockerConfig = try DockerConfigDirectory()
        // Only the ConfigMap matches, and it holds no reference: nothing is built or pushed.
        let env = KoBuildEndToEndTests.environment(dockerConfig: dockerConfig, repo: "127.0.0.1:1/none", base: nil)
        let result = try ProcessRunner.run(Products.ko, ["resolve", "-f", file, "-l", "app=db"], environment: env,
                                           directory: module.root)
        try #require(result.status == 0, "ko resolve failed: \(result.errorOutput)")
        #expect(result.output.contains("kind: ConfigMap"))
        #expect(!result.output.contains("kind: Deployment"))
    }

    @Test func applyHandsTheResolvedYAMLToKubectl() throws {
        let registry = try RegistryFixture.start(auth: .none)
        let base = try BaseImages.seed(host: registry.host, authFile: nil)
        let module = try GoModuleFixture()
        let file = try module.directory.write("deploy.yaml", Self.yaml)
        // No cluster can run here: a kubectl on PATH that records what it is given stands in for it.
        let tools = try TemporaryDirectory("ko-kubectl")
        try tools.write("kubectl", """
            #!/bin/sh
            printf '%s\\n' "$@" > "\(tools.path)/args"
            cat > "\(tools.path)/stdin"
            """, mode: 0o755)
        let dockerConfig = try DockerConfigDirectory()
        var env = KoBuildEndToEndTests.environment(dockerConfig: dockerConfig, repo: "\(registry.host)/r", base: base)
        env["PATH"] = tools.path + ":" + (env["PATH"] ?? "")
        let result = try ProcessRunner.run(Products.ko, ["apply", "-f", file, "--", "--context=staging"],
                                           environment: env, directory: module.root)
        try #require(result.status == 0, "ko apply failed: \(result.errorOutput)")
        let args = try String(contentsOfFile: tools.path + "/args", encoding: .utf8)
        #expect(args == "apply\n-f\n-\n--context=staging\n")
        let stdin = try String(contentsOfFile: tools.path + "/stdin", encoding: .utf8)
        #expect(stdin.contains("image: \(registry.host)/r/greeter-"))
        #expect(!stdin.contains("image: ko://"))
    }

    @Test func aMissingKubectlIsAClearError() throws {
        let module = try GoModuleFixture()
        let file = try module.directory.write("plain.yaml", "kind: ConfigMap\n")
        let dockerConfig = try DockerConfigDirectory()
        var env = KoBuildEndToEndTests.environment(dockerConfig: dockerConfig, repo: "127.0.0.1:1/none", base: nil)
        env["PATH"] = "/nonexistent"
        let result = try ProcessRunner.run(Products.ko, ["apply", "-f", file], environment: env,
                                           directory: module.root)
        #expect(result.status == 1)
        #expect(result.errorOutput.contains("kubectl was not found on PATH"))
    }
}
