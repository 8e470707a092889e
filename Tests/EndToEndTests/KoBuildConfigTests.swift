import Foundation
import Testing
import TestSupport

/// `.ko.yaml`, templates, image settings and other outputs, driven through the real binary.
@Suite(.serialized)
struct KoBuildConfigTests {
    /// A module whose command prints a variable set by `-X` and its own
    /// arguments and environment, so tests can see what the build and the image say.
    static func versionModule() throws -> TemporaryDirectory {
        let module = try TemporaryDirectory("ko-version-mod")
        try module.write("go.mod", "module example.org/versioned\n\ngo 1.19\n")
        try module.write("cmd/show/main.go", """
            package main

            import (
            \t"fmt"
            \t"os"
            \t"strings"
            )

            var version = "unset"

            func main() {
            \tfmt.Println("version:", version)
            \tfmt.Println("args:", strings.Join(os.Args[1:], "|"))
            \tfmt.Println("GREETING:", os.Getenv("GREETING"))
            \twd, _ := os.Getwd()
            \tfmt.Println("wd:", wd)
            }

            """)
        return module
    }

    @Test func aTemplatedLdflagInKoYamlSetsAVariableTheProgramPrints() throws {
        let registry = try RegistryFixture.start(auth: .none)
        let base = try BaseImages.seed(host: registry.host, authFile: nil)
        let module = try Self.versionModule()
        try module.write(".ko.yaml", """
            # Build settings for the one command.
            builds:
            - id: show
              main: ./cmd/show
              ldflags:
              - -s -w
              - -X main.version={{.Env.RELEASE}}-{{.Timestamp}}
              image:
                args: ["--first", "second,with,commas"]
                env: [GREETING=hello from ko.yaml]
                workingDir: /tmp
            """)
        let dockerConfig = try DockerConfigDirectory()
        var env = KoBuildEndToEndTests.environment(dockerConfig: dockerConfig, repo: "\(registry.host)/cfg",
                                                   base: base)
        env["RELEASE"] = "v1.2.3"
        env["SOURCE_DATE_EPOCH"] = "1700000000"
        let result = try ProcessRunner.run(Products.ko, ["build", "-B", "--image-label", "team=core",
                                                         "./cmd/show"],
                                           environment: env, directory: module.path)
        try #require(result.status == 0, "ko build failed: \(result.errorOutput)")
        let reference = result.output.trimmingCharacters(in: .whitespacesAndNewlines)
        let outcome = try ImageRunner.run(reference, authFile: nil)
        #expect(outcome.output == """
            version: v1.2.3-1700000000
            args: --first|second,with,commas
            GREETING: hello from ko.yaml
            wd: /tmp

            """)
        let config = try ProcessRunner.check("skopeo", ["inspect", "--config", "--tls-verify=false",
                                                         "docker://\(reference)"])
        #expect(config.output.contains("\"team\": \"core\""))
        #expect(config.output.contains("2023-11-14T22:13:20Z"), "SOURCE_DATE_EPOCH sets created")
    }

    @Test func aMissingTemplateKeyIsAnError() throws {
        let module = try Self.versionModule()
        try module.write(".ko.yaml", "defaultLdflags: ['-X main.version={{.Env.NOT_SET_ANYWHERE}}']\n")
        let dockerConfig = try DockerConfigDirectory()
        let env = KoBuildEndToEndTests.environment(dockerConfig: dockerConfig, repo: "127.0.0.1:1/x",
                                                   base: "127.0.0.1:1/base:latest")
        let result = try ProcessRunner.run(Products.ko, ["build", "./cmd/show"], environment: env,
                                           directory: module.path)
        #expect(result.status == 1)
        #expect(result.errorOutput.contains("NOT_SET_ANYWHERE"))
    }

    @Test func aBadKoYamlNamesFileAndLine() throws {
        let module = try Self.versionModule()
        try module.write(".ko.yaml", "defaultBaseImage: a\nbuilds: {not: a list}\n")
        let dockerConfig = try DockerConfigDirectory()
        let env = KoBuildEndToEndTests.environment(dockerConfig: dockerConfig, repo: "127.0.0.1:1/x", base: nil)
        let result = try ProcessRunner.run(Products.ko, ["build", "./cmd/show"], environment: env,
                                           directory: module.path)
        #expect(result.status == 1)
        #expect(result.errorOutput.contains(".ko.yaml:2:"))
    }

    @Test func toolexecIsRefused() throws {
        let module = try Self.versionModule()
        try module.write(".ko.yaml", "defaultFlags: ['-toolexec=/bin/true']\n")
        let dockerConfig = try DockerConfigDirectory()
        let env = KoBuildEndToEndTests.environment(dockerConfig: dockerConfig, repo: "127.0.0.1:1/x",
                                                   base: "127.0.0.1:1/base:latest")
        let result = try ProcessRunner.run(Products.ko, ["build", "./cmd/show"], environment: env,
                                           directory: module.path)
        #expect(result.status == 1)
        #expect(result.errorOutput.contains("-toolexec"))
    }

    @Test func aTarballOfTwoPlatformsIsReadBySkopeo() throws {
        let registry = try RegistryFixture.start(auth: .none)
        let base = try BaseImages.seed(host: registry.host, repository: "base/multi",
                                       platforms: ["linux/amd64", "linux/arm64"], authFile: nil)
        let module = try GoModuleFixture()
        let out = try TemporaryDirectory("ko-tarball")
        let dockerConfig = try DockerConfigDirectory()
        let env = KoBuildEndToEndTests.environment(dockerConfig: dockerConfig, repo: "\(registry.host)/tar",
                                                   base: base)
        let result = try ProcessRunner.run(Products.ko, ["build", "--push=false", "--platform=all",
                                                         "--tarball", out.path + "/images.tar", "./cmd/greeter"],
                                           environment: env, directory: module.root)
        try #require(result.status == 0, "ko build failed: \(result.errorOutput)")
        let raw = try ProcessRunner.check("skopeo", ["inspect", "--raw", "oci-archive:\(out.path)/images.tar"])
        #expect(raw.output.contains("\"architecture\":\"amd64\""))
        #expect(raw.output.contains("\"architecture\":\"arm64\""))
        try ProcessRunner.check("skopeo", ["copy", "--quiet", "oci-archive:\(out.path)/images.tar",
                                           "oci:\(out.path)/copied:latest"])
    }

    @Test func aSingleImageTarballIsDockerSaveFormat() throws {
        let registry = try RegistryFixture.start(auth: .none)
        let base = try BaseImages.seed(host: registry.host, authFile: nil)
        let module = try GoModuleFixture()
        let out = try TemporaryDirectory("ko-tarball")
        let dockerConfig = try DockerConfigDirectory()
        let env = KoBuildEndToEndTests.environment(dockerConfig: dockerConfig, repo: "\(registry.host)/tar",
                                                   base: base)
        let result = try ProcessRunner.run(Products.ko, ["build", "--push=false", "--tarball",
                                                         out.path + "/image.tar", "--bare", "./cmd/greeter"],
                                           environment: env, directory: module.root)
        try #require(result.status == 0, "ko build failed: \(result.errorOutput)")
        let inspect = try ProcessRunner.check("skopeo", ["inspect", "docker-archive:\(out.path)/image.tar"])
        #expect(inspect.output.contains("\"Architecture\": \"amd64\""))
    }

    @Test func tagOnlyPrintsTheTagWithoutADigest() throws {
        let registry = try RegistryFixture.start(auth: .none)
        let base = try BaseImages.seed(host: registry.host, authFile: nil)
        let module = try GoModuleFixture()
        let dockerConfig = try DockerConfigDirectory()
        let env = KoBuildEndToEndTests.environment(dockerConfig: dockerConfig, repo: "\(registry.host)/t",
                                                   base: base)
        let result = try ProcessRunner.run(Products.ko, ["build", "--tag-only", "-t", "v9", "--bare",
                                                         "./cmd/greeter"],
                                           environment: env, directory: module.root)
        try #require(result.status == 0, "ko build failed: \(result.errorOutput)")
        #expect(result.output == "\(registry.host)/t:v9\n")
    }
}
