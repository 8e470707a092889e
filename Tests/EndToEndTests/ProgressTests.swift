import Foundation
import Testing
import TestSupport

/// Progress lines as a person sees them: live on a terminal (tmux), plain
/// in a pipe, uncolored with NO_COLOR, absent with --quiet; stdout carries
/// the image reference alone in every case.
@Suite(.serialized)
struct ProgressTests {
    static let escape = UInt8(0x1B)

    /// A registry with a base image and a Go module to build, shared by the
    /// runs of one test.
    final class Setup {
        let registry: RegistryFixture
        let module: GoModuleFixture
        let dockerConfig: DockerConfigDirectory
        /// A layer cache of its own, so that the first build compresses.
        let layerCache: TemporaryDirectory
        let environment: [String: String]

        init() throws {
            registry = try RegistryFixture.start()
            module = try GoModuleFixture()
            dockerConfig = try DockerConfigDirectory()
            layerCache = try TemporaryDirectory("ko-layer-cache")
            let base = try BaseImages.seed(host: registry.host, authFile: nil)
            var env = ProcessInfo.processInfo.environment
            for key in ["KO_CONFIG_PATH", "GOOS", "GOARCH", "NO_COLOR", "TMUX"] { env.removeValue(forKey: key) }
            env["DOCKER_CONFIG"] = dockerConfig.path
            env["KO_DOCKER_REPO"] = "\(registry.host)/progress"
            env["KO_DEFAULTBASEIMAGE"] = base
            env["KOCACHE"] = layerCache.path
            environment = env
        }

        /// Runs `ko build ./cmd/greeter` on a tmux terminal, stdout to a file;
        /// returns the raw terminal bytes, the screen and stdout.
        func buildOnTerminal(extraEnvironment: [String: String] = [:]) throws
            -> (raw: [UInt8], screen: String, stdout: String) {
            var env = environment
            env.merge(extraEnvironment) { $1 }
            env["TERM"] = "xterm-256color"
            let outputs = try TemporaryDirectory("ko-progress")
            let command = "cd '\(module.root)' && '\(Products.ko)' build ./cmd/greeter > '\(outputs.path)/stdout'; "
                + "echo $? > '\(outputs.path)/status'"
            let terminal = try TerminalSession(command, environment: env)
            defer { terminal.stop() }
            try terminal.wait(for: "ko build finishing") {
                FileManager.default.fileExists(atPath: outputs.path + "/status")
            }
            let status = try String(contentsOfFile: outputs.path + "/status", encoding: .utf8)
            let screen = try terminal.screen()
            try #require(status.trimmingCharacters(in: .whitespacesAndNewlines) == "0", "ko build failed:\n\(screen)")
            let stdout = try String(contentsOfFile: outputs.path + "/stdout", encoding: .utf8)
            return (terminal.rawOutput(), screen, stdout)
        }
    }

    /// `text` without SGR (color) sequences.
    static func withoutColors(_ text: String) -> String {
        text.replacing(#/\x1B\[[0-9;]*m/#, with: "")
    }

    static func containsSequence(_ bytes: [UInt8], _ text: String) -> Bool {
        let needle = Array(text.utf8)
        guard needle.count <= bytes.count else { return false }
        return (0...(bytes.count - needle.count)).contains { bytes[$0..<($0 + needle.count)].elementsEqual(needle) }
    }

    @Test func aTerminalGetsLiveLinesPerLayerAndStdoutOnlyTheReference() throws {
        let setup = try Setup()
        let run = try setup.buildOnTerminal()
        let raw = Self.withoutColors(String(decoding: run.raw, as: UTF8.self))

        // Live lines: drawn, then redrawn in place (cursor up, erase line),
        // with the verb in color.
        #expect(raw.contains("Compressing"), "no live compressing line in:\n\(raw)")
        #expect(raw.contains("binary layer of greeter"))
        // "Uploading sha256:1a2b3c4d5e6f  0 B / 1.2 MB": bytes out of the layer's size.
        #expect(raw.contains(#/Uploading sha256:[0-9a-f]{12}  [0-9.]+ [kMG]?B / [0-9.]+ [kMG]?B/#),
                "no live upload line in:\n\(raw)")
        #expect(Self.containsSequence(run.raw, "\u{1B}[2K"), "live lines are never erased and redrawn")
        #expect(Self.containsSequence(run.raw, "\u{1B}[36mUploading\u{1B}[0m"), "the live verb is not colored")
        // What stays on the screen: one summary per layer with bytes, time and rate.
        #expect(run.screen.contains("Compressed binary layer of greeter: "), "screen:\n\(run.screen)")
        #expect(run.screen.contains("Compressed kodata layer of greeter: "))
        let uploaded = run.screen.split(separator: "\n").filter { $0.hasPrefix("Uploaded sha256:") }
        #expect(uploaded.count == 2, "expected the two new layers uploaded; screen:\n\(run.screen)")
        for line in uploaded {
            #expect(line.contains(" B in ") || line.contains("B in "))
            #expect(line.hasSuffix("/s)"), "no rate in '\(line)'")
        }
        // stdout went to the file: exactly the reference.
        let lines = run.stdout.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].contains("@sha256:"), "stdout was: \(run.stdout)")
        #expect(!run.stdout.contains("\u{1B}"))
    }

    @Test func noColorKeepsLiveLinesButDropsColors() throws {
        let setup = try Setup()
        let run = try setup.buildOnTerminal(extraEnvironment: ["NO_COLOR": "1"])
        let raw = String(decoding: run.raw, as: UTF8.self)
        #expect(raw.contains("Compressing binary layer of greeter"), "no live line in:\n\(raw)")
        #expect(Self.containsSequence(run.raw, "\u{1B}[2K"))
        for color in ["\u{1B}[36m", "\u{1B}[32m", "\u{1B}[0m"] {
            #expect(!Self.containsSequence(run.raw, color), "NO_COLOR=1 but ko wrote a color sequence")
        }
        #expect(run.screen.contains("Compressed binary layer of greeter: "))
    }

    @Test func aPipeGetsPlainLinesOnly() throws {
        let setup = try Setup()
        let result = try ProcessRunner.run(Products.ko, ["build", "./cmd/greeter"], environment: setup.environment,
                                           directory: setup.module.root)
        #expect(result.status == 0, "ko build failed: \(result.errorOutput)")
        #expect(!result.standardError.contains(Self.escape), "escape sequences in a pipe:\n\(result.errorOutput)")
        #expect(!result.standardError.contains(UInt8(ascii: "\r")))
        let lines = result.errorOutput.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("Compressed binary layer of greeter: ") && $0.hasSuffix("gzipped") },
                "stderr:\n\(result.errorOutput)")
        #expect(lines.filter { $0.hasPrefix("Uploaded sha256:") && $0.contains(" in ") }.count == 2,
                "stderr:\n\(result.errorOutput)")
        // Live lines are for terminals only.
        #expect(!lines.contains { $0.hasPrefix("Compressing ") || $0.hasPrefix("Uploading ") })
        #expect(result.output.split(separator: "\n").count == 1)

        // Building the same image again compresses and uploads nothing, and says so.
        let again = try ProcessRunner.run(Products.ko, ["build", "./cmd/greeter"], environment: setup.environment,
                                          directory: setup.module.root)
        #expect(again.status == 0)
        let againLines = again.errorOutput.split(separator: "\n")
        #expect(againLines.filter { $0.hasPrefix("Skipped sha256:") }.count == 2, "stderr:\n\(again.errorOutput)")
        #expect(againLines.contains { $0.hasPrefix("Cached binary layer of greeter: ") && $0.hasSuffix("layer cache") },
                "stderr:\n\(again.errorOutput)")
        #expect(again.output == result.output)
    }

    @Test func quietPrintsNothingButTheReference() throws {
        let setup = try Setup()
        let result = try ProcessRunner.run(Products.ko, ["build", "--quiet", "./cmd/greeter"],
                                           environment: setup.environment, directory: setup.module.root)
        #expect(result.status == 0, "ko build failed: \(result.errorOutput)")
        #expect(result.errorOutput.isEmpty, "--quiet printed:\n\(result.errorOutput)")
        #expect(result.output.split(separator: "\n").count == 1)

        // Errors still show.
        var broken = setup.environment
        broken["KO_DOCKER_REPO"] = nil
        let failed = try ProcessRunner.run(Products.ko, ["build", "-q", "./cmd/greeter"], environment: broken,
                                           directory: setup.module.root)
        #expect(failed.status == 1)
        #expect(failed.errorOutput.hasPrefix("Error: KO_DOCKER_REPO is not set"))
    }

    @Test func requestsCarryTheKoUserAgent() throws {
        let setup = try Setup()
        let version = try ProcessRunner.check(Products.ko, ["version"]).output
        let number = try #require(version.split(separator: " ").first.map(String.init))
        let result = try ProcessRunner.run(Products.ko, ["build", "./cmd/greeter"], environment: setup.environment,
                                           directory: setup.module.root)
        #expect(result.status == 0, "ko build failed: \(result.errorOutput)")
        let log = try String(contentsOfFile: setup.registry.directory + "/registry.log", encoding: .utf8)
        #expect(log.contains("http.request.useragent=ko/\(number) "),
                "the registry never saw User-Agent ko/\(number):\n\(log.suffix(2000))")
    }
}
