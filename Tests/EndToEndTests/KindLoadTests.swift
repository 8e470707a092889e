import Foundation
import Testing
import TestSupport

/// `KO_DOCKER_REPO=kind.local`: ko hands the image to `kind load
/// image-archive` and prints the name it was loaded under, as Google's ko
/// prints it: `kind.local/<name>:<manifest digest hex>`.
///
/// kind cannot run here: it needs a container engine (Docker or podman) that
/// can start the cluster's node containers, and this machine has none. So a
/// stand-in `kind`, first on the PATH of the `ko` child process, takes kind's
/// place: it checks that it is called as kind's CLI is called (`kind load
/// image-archive <archive> [--name <cluster>]`), records its arguments and
/// keeps a copy of the archive. The archive is then checked with the real
/// skopeo and run from an unpacked OCI bundle, which is what the cluster's
/// containerd would import and run.
@Suite(.serialized)
struct KindLoadTests {
    /// A directory holding the stand-in `kind` and what it recorded.
    final class StandIn: @unchecked Sendable {
        let directory: TemporaryDirectory
        var bin: String { directory.path + "/bin" }
        var archive: String { directory.path + "/archive.tar" }

        /// `clusters` are the clusters that "exist": loading into another fails as kind fails.
        init(clusters: [String]) throws {
            directory = try TemporaryDirectory("ko-kind-standin")
            let known = clusters.map { "'\($0)'" }.joined(separator: " | ")
            try directory.write("bin/kind", """
                #!/bin/sh
                # Stand-in for kind (see KindLoadTests): kind needs a container engine, and there is none here.
                record=\(directory.path)
                printf '%s\\n' "$@" >> "$record/calls"
                printf -- '--\\n' >> "$record/calls"
                if [ "$1 $2" != "load image-archive" ]; then
                    echo "ERROR: unknown command \\"$1 $2\\" for \\"kind\\"" >&2; exit 1
                fi
                archive=$3
                cluster=${KIND_CLUSTER_NAME:-kind}
                case $# in
                    3) ;;
                    5) [ "$4" = --name ] || { echo "ERROR: unknown flag: $4" >&2; exit 1; }; cluster=$5 ;;
                    *) echo "ERROR: expected kind load image-archive <IMAGE.tar> [--name <cluster>]" >&2; exit 1 ;;
                esac
                case $cluster in
                    \(known)) ;;
                    *) echo "ERROR: no nodes found for cluster \\"$cluster\\"" >&2; exit 1 ;;
                esac
                [ -f "$archive" ] || { echo "ERROR: failed to load image: $archive is not a file" >&2; exit 1; }
                cp "$archive" "$record/archive.tar"
                """, mode: 0o755)
        }

        /// Each call's arguments.
        func calls() throws -> [[String]] {
            let path = directory.path + "/calls"
            guard FileManager.default.fileExists(atPath: path) else { return [] }
            let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
            return lines.split(separator: "--").map(Array.init)
        }

        /// `environment` with the stand-in first on PATH.
        func environment(_ environment: [String: String]) -> [String: String] {
            var result = environment
            result["PATH"] = bin + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
            return result
        }
    }

    /// ko's default name for the greeter command: `<base>-<md5 of the import path>`.
    static func defaultName() throws -> String {
        let sum = try ProcessRunner.check("md5sum", [], input: Array(GoModuleFixture.commandImportPath.utf8))
        return "greeter-" + (sum.output.split(separator: " ").first.map(String.init) ?? "")
    }

    @Test func buildLoadsTheImageIntoTheNamedClusterAndPrintsItsKindReference() throws {
        let registry = try RegistryFixture.start(auth: .none)
        let base = try BaseImages.seed(host: registry.host, authFile: nil)
        let module = try GoModuleFixture()
        let dockerConfig = try DockerConfigDirectory()
        let kind = try StandIn(clusters: ["ko-test"])
        var env = kind.environment(KoBuildEndToEndTests.environment(dockerConfig: dockerConfig, repo: "kind.local",
                                                                    base: base))
        env["KIND_CLUSTER_NAME"] = "ko-test"

        let result = try ProcessRunner.run(Products.ko, ["build", "-t", "dev", "./cmd/greeter"], environment: env,
                                           directory: module.root)
        try #require(result.status == 0, "ko build failed: \(result.errorOutput)")
        let repository = "kind.local/" + (try Self.defaultName())
        let match = try #require(result.output.wholeMatch(of: #/kind\.local/([^:\s]+):([0-9a-f]{64})\n/#),
                                 "stdout: \(result.output)")
        #expect(match.1 == repository.dropFirst("kind.local/".count))
        let reference = "\(repository):\(match.2)"

        let calls = try kind.calls()
        try #require(calls.count == 1, "kind was called \(calls.count) times: \(calls)")
        #expect(calls[0].count == 5 && calls[0].prefix(2) == ["load", "image-archive"])
        #expect(calls[0].suffix(2) == ["--name", "ko-test"])

        // The archive names the image by the printed reference and by its tag.
        let manifest = try ProcessRunner.check("tar", ["-xOf", kind.archive, "manifest.json"])
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(manifest.output.utf8))
            as? [[String: Any]])
        try #require(entries.count == 1, "manifest.json: \(manifest.output)")
        #expect(entries[0]["RepoTags"] as? [String] == [reference, "\(repository):dev"])

        let inspected = try ProcessRunner.check("skopeo", ["inspect", "docker-archive:\(kind.archive)"])
        let facts = try #require(try JSONSerialization.jsonObject(with: Data(inspected.output.utf8))
            as? [String: Any])
        #expect(facts["Os"] as? String == "linux")
        #expect(facts["Architecture"] as? String == "amd64")

        // The same build pushed to a registry has the printed digest, and its
        // config is the archive's.
        env["KO_DOCKER_REPO"] = "\(registry.host)/kind"
        let pushed = try ProcessRunner.run(Products.ko, ["build", "./cmd/greeter"], environment: env,
                                           directory: module.root)
        try #require(pushed.status == 0, "ko build failed: \(pushed.errorOutput)")
        #expect(pushed.output.hasSuffix("@sha256:\(match.2)\n"), "pushed: \(pushed.output)")
        let pushedReference = ImageRunner.digestOnly(pushed.output.trimmingCharacters(in: .whitespacesAndNewlines))
        let raw = try ProcessRunner.check("skopeo", ["inspect", "--raw", "--tls-verify=false",
                                                     "docker://\(pushedReference)"])
        let pushedManifest = try #require(try JSONSerialization.jsonObject(with: Data(raw.output.utf8))
            as? [String: Any])
        let configDigest = try #require((pushedManifest["config"] as? [String: Any])?["digest"] as? String)
        let archiveConfig = try #require(entries[0]["Config"] as? String)
        #expect(archiveConfig.hasSuffix(configDigest.replacingOccurrences(of: "sha256:", with: "")))
        let layers = try #require(pushedManifest["layers"] as? [Any])
        #expect((facts["Layers"] as? [Any])?.count == layers.count)

        let outcome = try ImageRunner.run(source: "docker-archive:\(kind.archive)")
        #expect(outcome.status == 0, "image failed: \(outcome.errorOutput)")
        #expect(outcome.output == GoModuleFixture.expectedOutput())
    }

    @Test func theDefaultClusterIsKindAndAFailingKindFailsTheBuild() throws {
        let registry = try RegistryFixture.start(auth: .none)
        let base = try BaseImages.seed(host: registry.host, authFile: nil)
        let module = try GoModuleFixture()
        let dockerConfig = try DockerConfigDirectory()
        let kind = try StandIn(clusters: ["somewhere-else"])
        var env = kind.environment(KoBuildEndToEndTests.environment(dockerConfig: dockerConfig, repo: "kind.local",
                                                                    base: base))
        env["KIND_CLUSTER_NAME"] = nil

        let result = try ProcessRunner.run(Products.ko, ["build", "./cmd/greeter"], environment: env,
                                           directory: module.root)
        #expect(result.status == 1)
        #expect(result.output.isEmpty, "nothing was loaded, so nothing is printed: \(result.output)")
        #expect(result.errorOutput.contains(#"no nodes found for cluster "kind""#), "\(result.errorOutput)")
        let calls = try kind.calls()
        #expect(calls.count == 1 && calls.first?.suffix(2) == ["--name", "kind"], "\(calls)")
    }

    @Test func aMultiPlatformBuildLoadsTheLinuxAmd64Image() throws {
        // kind cannot load an index: ko loads the child for GOOS/GOARCH, linux/amd64 when they are
        // unset (they must be, beside --platform). The base lists arm64 first, so the first child is not it.
        let registry = try RegistryFixture.start(auth: .none)
        let base = try BaseImages.seed(host: registry.host, platforms: ["linux/arm64", "linux/amd64"], authFile: nil)
        let module = try GoModuleFixture()
        let dockerConfig = try DockerConfigDirectory()
        let kind = try StandIn(clusters: ["kind"])
        var env = kind.environment(KoBuildEndToEndTests.environment(dockerConfig: dockerConfig, repo: "kind.local",
                                                                    base: base))
        let arguments = ["build", "--platform=linux/amd64,linux/arm64", "./cmd/greeter"]

        let loaded = try ProcessRunner.run(Products.ko, arguments, environment: env, directory: module.root)
        try #require(loaded.status == 0, "ko build failed: \(loaded.errorOutput)")
        #expect(try kind.calls().first?.suffix(2) == ["--name", "kind"])
        let inspected = try ProcessRunner.check("skopeo", ["inspect", "docker-archive:\(kind.archive)"])
        let facts = try #require(try JSONSerialization.jsonObject(with: Data(inspected.output.utf8))
            as? [String: Any])
        #expect(facts["Architecture"] as? String == "amd64")

        // The printed digest is the amd64 child's in the index the same build pushes.
        env["KO_DOCKER_REPO"] = "\(registry.host)/kind"
        let pushed = try ProcessRunner.run(Products.ko, arguments, environment: env, directory: module.root)
        try #require(pushed.status == 0, "ko build failed: \(pushed.errorOutput)")
        let index = ImageRunner.digestOnly(pushed.output.trimmingCharacters(in: .whitespacesAndNewlines))
        let raw = try ProcessRunner.check("skopeo", ["inspect", "--raw", "--tls-verify=false", "docker://\(index)"])
        let manifests = try #require((try JSONSerialization.jsonObject(with: Data(raw.output.utf8))
            as? [String: Any])?["manifests"] as? [[String: Any]])
        #expect(manifests.count == 2 && (manifests[0]["platform"] as? [String: Any])?["architecture"] as? String
                == "arm64")
        let amd64 = try #require(manifests.first {
            ($0["platform"] as? [String: Any])?["architecture"] as? String == "amd64"
        }?["digest"] as? String)
        let name = try Self.defaultName()
        #expect(loaded.output == "kind.local/\(name):\(amd64.dropFirst("sha256:".count))\n")
    }
}
