import Foundation
import Testing
import TestSupport

/// Mistakes in `.ko.yaml` met through the real binary: each one is a single
/// `Error: <file>:<line>: …` line on stderr and exit status 1, before
/// anything is built or fetched.
@Suite(.serialized)
struct KoConfigErrorEndToEndTests {
    /// Runs `ko build ./cmd/show` in a module holding `yaml` as its `.ko.yaml`,
    /// and returns the module's path, the exit status and stderr.
    static func build(_ yaml: String, arguments: [String] = [],
                      environment extra: [String: String] = [:]) throws -> (path: String, status: Int32,
                                                                             stderr: String) {
        let module = try KoBuildConfigTests.versionModule()
        try module.write(".ko.yaml", yaml)
        let dockerConfig = try DockerConfigDirectory()
        // Nothing may be fetched: a base on a closed loopback port would be
        // retried for seconds before failing with another message.
        var env = KoBuildEndToEndTests.environment(dockerConfig: dockerConfig, repo: "127.0.0.1:1/x",
                                                   base: "127.0.0.1:1/base:latest")
        env.merge(extra) { _, new in new }
        let result = try ProcessRunner.run(Products.ko, ["build"] + arguments + ["./cmd/show"], environment: env,
                                           directory: module.path)
        return (module.path, result.status, result.errorOutput)
    }

    @Test func anImageEnvEntryWithoutEqualsNamesFileAndLine() throws {
        let result = try Self.build("""
            builds:
            - id: show
              main: ./cmd/show
              image:
                env: [GREETING=hi, FOO]
            """)
        #expect(result.status == 1)
        #expect(result.stderr == "Error: \(result.path)/.ko.yaml:5: 'image.env' entry 'FOO' is not KEY=VALUE\n")
    }

    @Test func aMissingTemplateKeyNamesFileAndLine() throws {
        let environmentKey = try Self.build("defaultLdflags:\n- -s -w\n- -X main.version={{.Env.NOPE_NOT_SET}}\n")
        #expect(environmentKey.status == 1)
        #expect(environmentKey.stderr == "Error: \(environmentKey.path)/.ko.yaml:3: template in ldflags: "
                + "map has no entry for key \"NOPE_NOT_SET\" in {{.Env.NOPE_NOT_SET}}\n")

        let field = try Self.build("""
            builds:
            - id: show
              main: ./cmd/show
              flags: [-trimpath]
              ldflags:
              - -X main.version={{.Nope}}
            """)
        #expect(field.status == 1)
        #expect(field.stderr == "Error: \(field.path)/.ko.yaml:6: template in ldflags: "
                + "map has no entry for key \"Nope\" in {{.Nope}}\n")
    }

    @Test func aMissingTemplateKeyInTheLdflagsFlagNamesTheFlag() throws {
        let result = try Self.build("defaultLdflags: ['-s']\n", arguments: ["--ldflags", "-X main.version={{.Nope}}"])
        #expect(result.status == 1)
        #expect(result.stderr == "Error: template in --ldflags: map has no entry for key \"Nope\" in {{.Nope}}\n")
    }

    @Test func aBadBaseImageOverrideNamesFileLineAndValue() throws {
        let result = try Self.build("""
            baseImageOverrides:
              example.org/versioned/cmd/other: 127.0.0.1:1/fine:1
              example.org/versioned/cmd/show: "127.0.0.1:1/Not Valid"
            """)
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("Error: \(result.path)/.ko.yaml:3: "
                                        + "'baseImageOverrides.example.org/versioned/cmd/show': "
                                        + "invalid image reference '127.0.0.1:1/Not Valid': "), "\(result.stderr)")
        #expect(result.stderr.filter { $0 == "\n" }.count == 1, "\(result.stderr)")
    }

    @Test func aBadDefaultBaseImageNamesFileLineAndValue() throws {
        let result = try Self.build("# the base\ndefaultBaseImage: 'reg.example/UPPER'\n")
        #expect(result.status == 1)
        #expect(result.stderr == "Error: \(result.path)/.ko.yaml:2: 'defaultBaseImage': invalid image reference "
                + "'reg.example/UPPER': repository name 'UPPER' must be lowercase\n")
    }

    @Test func aDuplicateKeyIsRefusedWithBothLines() throws {
        let result = try Self.build("""
            defaultLdflags: [-s]
            builds:
            - id: show
              main: ./cmd/show
              main: ./cmd/other
            """)
        #expect(result.status == 1)
        #expect(result.stderr == "Error: \(result.path)/.ko.yaml:5: mapping key \"main\" already defined at line 4\n")
    }

    @Test func aSecondDocumentIsRefusedAtItsLine() throws {
        let result = try Self.build("defaultLdflags: [-s]\n---\ndefaultLdflags: [-w]\n")
        #expect(result.status == 1)
        #expect(result.stderr == "Error: \(result.path)/.ko.yaml:2: a second YAML document starts here; "
                + "the config must be one document: merge it into the first or remove it\n")
    }

    @Test func aConfigPathThatDoesNotExistIsNamed() throws {
        let result = try Self.build("defaultLdflags: [-s]\n", environment: ["KO_CONFIG_PATH": "/nonexistent/ko.yaml"])
        #expect(result.status == 1)
        #expect(result.stderr == "Error: /nonexistent/ko.yaml: does not exist; KO_CONFIG_PATH must name a .ko.yaml "
                + "file or a directory holding one\n")
    }
}
