import Foundation
import KoLog
import Testing
@testable import KoBuild

struct KoConfigTests {
    @Test func readsBaseImagesAndOverrides() throws {
        let yaml = """
            # comment
            defaultBaseImage: reg.example/base:1
            baseImageOverrides:
              example.com/a/cmd/x: reg.example/other:2
            builds:
            - id: x
            """
        let config = try KoConfig.parse(try YAMLNode.parse(yaml, file: ".ko.yaml"), file: ".ko.yaml", logger: .silent)
        #expect(config.baseImage(for: "example.com/a/cmd/y", environment: [:]) == "reg.example/base:1")
        #expect(config.baseImage(for: "example.com/a/cmd/x", environment: [:]) == "reg.example/other:2")
        #expect(config.baseImage(for: "example.com/a/cmd/y", environment: ["KO_DEFAULTBASEIMAGE": "env/base"])
                == "env/base")
    }

    @Test func builtInBaseWhenNothingIsSaid() throws {
        #expect(KoConfig().baseImage(for: "x", environment: [:]) == "cgr.dev/chainguard/static:latest")
    }

    @Test func badYAMLNamesFileAndLine() {
        let yaml = "defaultBaseImage: a\nbaseImageOverrides: [unclosed\n"
        #expect {
            try YAMLNode.parse(yaml, file: "/x/.ko.yaml")
        } throws: { error in
            "\(error)".hasPrefix("/x/.ko.yaml:")
        }
    }

    @Test func wrongTypeNamesTheKeyAndLine() {
        let yaml = "defaultBaseImage:\n  nested: map\n"
        #expect {
            try KoConfig.parse(try YAMLNode.parse(yaml, file: "f.yaml"), file: "f.yaml", logger: .silent)
        } throws: { error in
            "\(error)" == "f.yaml:2: 'defaultBaseImage' must be a string"
        }
    }

    @Test func unknownKeysAreWarnedAbout() throws {
        let lines = LineCollector()
        let logger = Logger(minimumLevel: .warning) { _, line in lines.append(line) }
        _ = try KoConfig.parse(try YAMLNode.parse("defaultBaseImag: typo\n", file: "k.yaml"),
                               file: "k.yaml", logger: logger)
        #expect(lines.all == ["k.yaml:1: unknown key 'defaultBaseImag' is ignored"])
    }
}

/// Collects log lines from any thread.
final class LineCollector: @unchecked Sendable {
    private var lines: [String] = []
    private let lock = NSLock()
    func append(_ line: String) { lock.withLock { lines.append(line) } }
    var all: [String] { lock.withLock { lines } }
}
