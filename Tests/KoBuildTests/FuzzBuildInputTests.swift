import Foundation
import KoLog
import Testing
import TestSupport
@testable import KoBuild

/// Seeded random corpora (`FaultyInputs`) for the YAML ko reads: `.ko.yaml`
/// and the files given to `ko resolve`, with label selectors. Every input
/// ends in a result or a one-line error.
///
/// Each test prints `fuzz-tally: <name> inputs=N`.
struct FuzzBuildInputTests {
    static func expectOneLine(_ error: any Error, input: Int, _ name: String) {
        let text = "\(error)"
        if text.isEmpty || text.contains("\n") || text.contains("\r") {
            Issue.record("\(name) input #\(input): error is not one line: \(text.debugDescription)")
        }
    }

    static let koYAMLSeeds = [
        """
        # ko configuration
        defaultBaseImage: cgr.dev/chainguard/static:latest
        baseImageOverrides:
          example.com/app/cmd/web: registry.example/base:1
        defaultPlatforms: [linux/amd64, linux/arm64]
        defaultEnv: [CGO_ENABLED=0]
        defaultFlags: ["-trimpath"]
        defaultLdflags: ["-s -w"]
        builds:
        - id: web
          dir: .
          main: ./cmd/web
          env: [GOFLAGS=-mod=vendor]
          flags: [-tags, netgo]
          ldflags: ["-X main.version={{.Env.VERSION}}"]
        """,
        "defaultBaseImage: &b x\nother: *b\n", "{}", "", "- just\n- a list\n", "key: [unclosed\n",
        "builds: !!map {id: a}\n", "? complex key\n: value\n",
    ]

    @Test func koYAML() throws {
        var inputs = FaultyInputs(seeds: Self.koYAMLSeeds, seed: 31)
        let count = FaultyInputs.count(10_000)
        var parsed = 0
        for _ in 0..<count {
            let text = inputs.nextText()
            do {
                let root = try YAMLNode.parse(text, file: "/fuzz/.ko.yaml")
                let config = try KoConfig.parse(root, file: "/fuzz/.ko.yaml", logger: .silent)
                parsed += 1
                _ = config.baseImage(for: "example.com/app/cmd/web", environment: [:])
            } catch {
                Self.expectOneLine(error, input: inputs.produced, ".ko.yaml")
            }
        }
        #expect(parsed > 100)
        print("fuzz-tally: .ko.yaml inputs=\(count)")
    }

    /// The whole path `ko build` takes: the file on disk, found and loaded.
    @Test func koYAMLFilesOnDisk() throws {
        let directory = try TemporaryDirectory("ko-fuzz-yaml")
        var inputs = FaultyInputs(seeds: Self.koYAMLSeeds, seed: 32)
        let count = FaultyInputs.count(1_000)
        for _ in 0..<count {
            try Data(inputs.next()).write(to: URL(fileURLWithPath: directory.path + "/.ko.yaml"))
            do {
                _ = try KoConfig.load(directory: directory.path, environment: [:], logger: .silent)
            } catch {
                Self.expectOneLine(error, input: inputs.produced, ".ko.yaml on disk")
            }
        }
        print("fuzz-tally: .ko.yaml files inputs=\(count)")
    }

    static let resolveSeeds = [
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          labels: {app: web, tier: "front"}
        spec:
          template:
            spec:
              containers:
              - name: web
                image: ko://example.com/app/cmd/web  # built by ko
                args: ['ko://example.com/app/cmd/job', "x"]
        ---
        kind: Job
        metadata: {labels: {app: job}}
        image: "ko://example.com/app/cmd/job"
        ...
        """,
        "a: |\n  ko://example.com/app/cmd/web\nb: !custom ko://x\n", "--- [ko://example.com/app/cmd/web]\n",
        "a: &x ko://example.com/app/cmd/web\nb: *x\n", "",
    ]

    static let images = [
        "example.com/app/cmd/web": "127.0.0.1:5000/web@sha256:" + String(repeating: "a", count: 64),
        "example.com/app/cmd/job": "127.0.0.1:5000/job@sha256:" + String(repeating: "b", count: 64),
    ]

    @Test func resolveYAMLAndSelectors() throws {
        var inputs = FaultyInputs(seeds: Self.resolveSeeds, seed: 33)
        var selectors = FaultyInputs(seeds: ["app=web", "app in (web, job),tier!=back", "!tier", "app notin (x)",
                                             "tier", "a=b,c==d"], seed: 34)
        let count = FaultyInputs.count(10_000)
        var resolved = 0
        var multiLineSelectorErrors: [String] = []
        for _ in 0..<count {
            let bytes = inputs.next()
            let number = inputs.produced
            do {
                var document = try ResolvableYAML(bytes: bytes, file: "/fuzz/deploy.yaml")
                if number % 3 == 0 {
                    do {
                        document = try document.selecting(LabelSelector(parsing: selectors.nextText()))
                    } catch {
                        let text = "\(error)"
                        #expect(!text.isEmpty)
                        if text.contains("\n") || text.contains("\r") { multiLineSelectorErrors.append(text) }
                    }
                }
                var images = Self.images
                for path in document.importPaths where images[path] == nil {
                    images[path] = "127.0.0.1:5000/other@sha256:" + String(repeating: "c", count: 64)
                }
                let output = try document.resolved(images)
                resolved += 1
                // The output is YAML again, with nothing left to build.
                let again = try ResolvableYAML(bytes: output, file: "/fuzz/resolved.yaml")
                #expect(again.importPaths.isEmpty, "input #\(number) resolved to something ko:// still")
            } catch {
                Self.expectOneLine(error, input: number, "resolve YAML")
            }
        }
        #expect(resolved > 100)
        // Found by this test once: selector errors quoted line breaks as typed.
        #expect(multiLineSelectorErrors.isEmpty, "first: \(multiLineSelectorErrors.first ?? "")")
        print("fuzz-tally: resolve YAML and label selectors inputs=\(count)")
    }
}
