import Foundation
import KoLog
import Testing
import TestSupport
@testable import KoBuild

/// Mistakes in `.ko.yaml`, each refused with one line that names the file,
/// the line and what was wrong; and what is still accepted.
struct KoConfigErrorTests {
    static func parse(_ yaml: String, file: String = "k.yaml") throws -> KoConfig {
        try KoConfig.parse(try YAMLNode.parse(yaml, file: file), file: file, logger: .silent)
    }

    /// The message of the error `body` throws, or nil when it throws none.
    static func message(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test(arguments: [
        ("builds:\n- id: a\n  image:\n    env: [A=1, FOO]\n", "k.yaml:4: 'image.env' entry 'FOO' is not KEY=VALUE"),
        ("builds:\n- id: a\n  image:\n    env:\n    - =x\n", "k.yaml:5: 'image.env' entry '=x' is not KEY=VALUE"),
        ("builds:\n- id: a\n  env:\n  - A=1\n  - FOO\n", "k.yaml:5: 'env' entry 'FOO' is not KEY=VALUE"),
        ("defaultEnv: FOO\n", "k.yaml:1: 'defaultEnv' entry 'FOO' is not KEY=VALUE"),
    ])
    func anEnvEntryWithoutEqualsNamesItsLine(yaml: String, expected: String) {
        #expect(Self.message { _ = try Self.parse(yaml) } == expected)
    }

    @Test func aBadBaseImageOverrideNamesItsLineAndValue() {
        let yaml = "baseImageOverrides:\n  example.com/a: reg.example/ok:1\n  example.com/b: \"Reg/UPPER\"\n"
        #expect(Self.message { _ = try Self.parse(yaml) }
                == "k.yaml:3: 'baseImageOverrides.example.com/b': invalid image reference 'Reg/UPPER': "
                + "repository name 'UPPER' must be lowercase")
    }

    @Test func aBadDefaultBaseImageNamesItsLineAndValue() throws {
        let message = try #require(Self.message { _ = try Self.parse("# base\ndefaultBaseImage: 'a b'\n") })
        #expect(message.hasPrefix("k.yaml:2: 'defaultBaseImage': invalid image reference 'a b': "), "\(message)")
    }

    @Test func aBadPlatformNamesItsLine() throws {
        #expect(Self.message { _ = try Self.parse("defaultPlatforms:\n- linux/amd64\n- linux\n") }
                == "k.yaml:3: 'defaultPlatforms' entry 'linux' is not a platform: "
                + "expected os/arch[/variant][:osversion], 'all' or 'host'")
        #expect(try Self.parse("defaultPlatforms: linux/amd64,linux/arm/v7,all,host\n").defaultPlatforms.count == 4)
    }

    @Test(arguments: [
        ("defaultBaseImage: a\ndefaultBaseImage: b\n",
         "k.yaml:2: mapping key \"defaultBaseImage\" already defined at line 1"),
        ("builds:\n- id: a\n  main: ./x\n  image:\n    user: '1'\n    user: '2'\n",
         "k.yaml:6: mapping key \"user\" already defined at line 5"),
        ("baseImageOverrides: {x/y: a, 'x/y': b}\n", "k.yaml:1: mapping key \"x/y\" already defined at line 1"),
        ("defaultEnv: [A=1]\n\"a\\nb\": 1\n\"a\\nb\": 2\n",
         "k.yaml:3: mapping key \"a\\nb\" already defined at line 2"),
    ])
    func aDuplicateKeyIsRefusedAtItsSecondLine(yaml: String, expected: String) {
        #expect(Self.message { _ = try Self.parse(yaml) } == expected)
    }

    @Test func aSecondDocumentIsRefusedAtItsLine() {
        let yaml = "defaultBaseImage: a\n---\ndefaultBaseImage: b\n"
        #expect(Self.message { _ = try Self.parse(yaml) }
                == "k.yaml:2: a second YAML document starts here; the config must be one document: "
                + "merge it into the first or remove it")
        #expect(Self.message { _ = try Self.parse("---\n# nothing\n---\n- x\n") }?.hasPrefix("k.yaml:3: ") == true)
    }

    @Test(arguments: ["defaultBaseImage: a\n---\n", "defaultBaseImage: a\n---\n# only a comment\n...\n---\n~\n",
                      "---\ndefaultBaseImage: a\n...\n"])
    func emptyLaterDocumentsAreAccepted(yaml: String) throws {
        #expect(try Self.parse(yaml).defaultBaseImage == "a")
    }

    @Test func aSyntaxErrorInALaterDocumentIsReported() {
        #expect(Self.message { _ = try Self.parse("defaultBaseImage: a\n---\nx: [\n") }?.hasPrefix("k.yaml:") == true)
    }

    @Test func badUTF8NamesItsLine() throws {
        let bytes = Array("defaultBaseImage: a\n\nfoo: \"".utf8) + [0xFF] + Array("\"\n".utf8)
        let message = try #require(Self.message { _ = try YAMLNode.parse(bytes: bytes, file: "k.yaml") })
        #expect(message.hasPrefix("k.yaml:3: "), "\(message)")
        #expect(message.hasSuffix("(the file must be UTF-8)"), "\(message)")
    }

    @Test func aliasesThatExpandWithoutBoundAreRefused() throws {
        var lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
        for level in 1..<9 {
            lines.append("a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10)
                .joined(separator: ", ") + "]")
        }
        let message = try #require(Self.message { _ = try Self.parse(lines.joined(separator: "\n")) })
        #expect(message.contains("expands to more than 100000 values"), "\(message)")
    }

    @Test func controlCharactersInKeysAndValuesStayOnOneLine() throws {
        let cases = [
            "baseImageOverrides:\n  \"a\\nb\": [x]\n",
            "defaultEnv: [\"A\\nB\"]\n",
            "defaultPlatforms: [\"linux/\\ramd64\"]\n",
            "defaultBaseImage: \"a\\nb\"\n",
        ]
        for yaml in cases {
            let message = try #require(Self.message { _ = try Self.parse(yaml) }, "\(yaml.debugDescription)")
            #expect(!message.contains("\n") && !message.contains("\r"), "\(message.debugDescription)")
            #expect(message.hasPrefix("k.yaml:"), "\(message)")
        }
    }

    @Test func anUnknownKeyWarningStaysOnOneLine() throws {
        let lines = LineCollector()
        let logger = Logger(minimumLevel: .warning) { _, line in lines.append(line) }
        _ = try KoConfig.parse(try YAMLNode.parse("\"bad\\nkey\": 1\n", file: "k.yaml"), file: "k.yaml",
                               logger: logger)
        #expect(lines.all == ["k.yaml:1: unknown key 'bad\\nkey' is ignored"])
    }

    // MARK: - Settings read when a command is built

    static func planner(_ yaml: String, ldflags: [String]? = nil,
                        environment: [String: String] = [:]) throws -> (GoBuildPlanner, GoPackage) {
        let directory = FileManager.default.temporaryDirectory.path
        var options = BuildOptions(workingDirectory: directory, environment: environment)
        options.ldflags = ldflags
        let planner = try GoBuildPlanner(config: try parse(yaml), options: options)
        return (planner, GoPackage(importPath: "example.com/app", name: "main", directory: directory,
                                   moduleRoot: directory))
    }

    @Test(arguments: [
        ("defaultLdflags:\n- -s -w\n- -X main.v={{.Env.NOPE}}\n",
         "k.yaml:3: template in ldflags: map has no entry for key \"NOPE\" in {{.Env.NOPE}}"),
        ("defaultFlags: ['-tags={{.Nope}}']\n",
         "k.yaml:1: template in flags: map has no entry for key \"Nope\" in {{.Nope}}"),
        ("defaultLdflags:\n  - |\n    -X main.v={{.Env.A\n",
         "k.yaml:2: template in ldflags: '{{' without '}}' in '-X main.v={{.Env.A\\n'"),
    ])
    func aTemplateFromTheFileNamesItsLine(yaml: String, expected: String) throws {
        let (planner, package) = try Self.planner(yaml)
        #expect(Self.message { _ = try planner.settings(for: package) } == expected)
    }

    @Test func aTemplateFromTheFlagNamesTheFlag() throws {
        let (planner, package) = try Self.planner("defaultLdflags: ['-s']\n", ldflags: ["-X main.v={{.Env.NOPE}}"])
        #expect(Self.message { _ = try planner.settings(for: package) }
                == "template in --ldflags: map has no entry for key \"NOPE\" in {{.Env.NOPE}}")
    }

    @Test func aTemplateThatExpandsStillWorks() throws {
        let (planner, package) = try Self.planner("defaultLdflags: ['-X main.v={{.Env.V}}']\n",
                                                  environment: ["V": "1.2"])
        #expect(try planner.settings(for: package).ldflags == ["-X main.v=1.2"])
    }

    @Test(arguments: [
        ("defaultFlags:\n- -trimpath\n- -toolexec=/bin/true\n",
         "k.yaml:3: build flag '-toolexec=/bin/true' is refused: it would have the build run the program it names"),
        ("defaultEnv:\n- A=1\n- GOFLAGS=-mod=mod -exec=x\n",
         "k.yaml:3: build flag '-exec=x' in env GOFLAGS is refused: it would have the build run the program it names"),
        ("defaultLdflags: ['-s -w', '-extld=cc']\n",
         "k.yaml:1: linker flag '-extld=cc' is refused: it would have the build run the program it names"),
        ("defaultEnv: [A=1]\nbuilds: []\ndefaultFlags: []\n\n\ndefaultLdflags: []\nx: 1\n", nil),
    ] as [(String, String?)])
    func aRefusedSettingNamesItsLine(yaml: String, expected: String?) throws {
        let (planner, package) = try Self.planner(yaml)
        #expect(Self.message { _ = try planner.settings(for: package) } == expected)
    }

    @Test func aRefusedVariableNamesTheLineThatSetIt() throws {
        let (planner, package) = try Self.planner("defaultEnv:\n- CGO_ENABLED=0\n- CC=/tmp/evil\n")
        let message = try #require(Self.message { _ = try planner.settings(for: package) })
        #expect(message.hasPrefix("k.yaml:3: env CC is refused: "), "\(message)")
    }

    @Test func aMissingBuildDirectoryNamesItsLine() throws {
        let yaml = "builds:\n- id: web\n  main: ./cmd/web\n  dir: ./no-such-directory-here\n"
        #expect(Self.message { _ = try Self.planner(yaml) }
                == "k.yaml:4: build web: dir './no-such-directory-here' is not a directory")
    }
}
