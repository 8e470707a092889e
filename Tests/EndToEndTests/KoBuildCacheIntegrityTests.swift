import Foundation
import Testing
import TestSupport

/// The layer cache never publishes other bytes than the build made: a binary
/// whose build ID is the user's own is not taken for the last one, and a
/// cached blob damaged on disk is compressed again rather than pushed.
@Suite(.serialized)
struct KoBuildCacheIntegrityTests {
    /// A module whose command prints a `-X` variable and a constant, built
    /// with a build ID fixed by `.ko.yaml` (as reproducible-build setups do).
    static func fixedBuildIDModule(version: String, buildID: String = "fixed") throws -> TemporaryDirectory {
        let module = try TemporaryDirectory("ko-fixed-id")
        try module.write("go.mod", "module example.org/fixedid\n\ngo 1.19\n")
        try writeProgram(in: module, edition: "first")
        try writeKoYAML(in: module, version: version, buildID: buildID)
        return module
    }

    static func writeProgram(in module: TemporaryDirectory, edition: String) throws {
        try module.write("cmd/show/main.go", """
            package main

            import "fmt"

            var version = "unset"

            const edition = "\(edition)"

            func main() {
            \tfmt.Println("version:", version)
            \tfmt.Println("edition:", edition)
            }

            """)
    }

    static func writeKoYAML(in module: TemporaryDirectory, version: String, buildID: String = "fixed") throws {
        try module.write(".ko.yaml", """
            builds:
            - id: show
              main: ./cmd/show
              ldflags:
              - -buildid=\(buildID)
              - -X main.version=\(version)
            """)
    }

    /// Runs `ko build` and returns the published reference and ko's stderr.
    static func build(_ target: String, in directory: String, environment: [String: String],
                      verbose: Bool = false) throws -> (reference: String, log: String) {
        let result = try ProcessRunner.run(Products.ko, ["build"] + (verbose ? ["-v"] : []) + [target],
                                           environment: environment, directory: directory)
        try #require(result.status == 0, "ko build failed: \(result.errorOutput)")
        return (result.output.trimmingCharacters(in: .whitespacesAndNewlines), result.errorOutput)
    }

    /// The digest part of `name@sha256:...`.
    static func digest(of reference: String) -> Substring {
        reference.split(separator: "@").last ?? ""
    }

    /// Fixed IDs: a word, and one in the very shape Go gives its own (as
    /// `-buildid=$(go tool buildid old-binary)` would set).
    static let fixedIDs = ["fixed", Array(repeating: String(repeating: "A", count: 20), count: 4).joined(separator: "/")]

    @Test(arguments: fixedIDs)
    func aFixedBuildIDDoesNotHideAnEditedProgram(buildID: String) throws {
        let registry = try RegistryFixture.start(auth: .none)
        let base = try BaseImages.seed(host: registry.host, authFile: nil)
        let module = try Self.fixedBuildIDModule(version: "AAA", buildID: buildID)
        let cache = try TemporaryDirectory("ko-cache")
        let dockerConfig = try DockerConfigDirectory()
        var env = KoBuildEndToEndTests.environment(dockerConfig: dockerConfig, repo: "\(registry.host)/fixed",
                                                   base: base)
        env["KOCACHE"] = cache.path

        let first = try Self.build("./cmd/show", in: module.path, environment: env, verbose: true)
        #expect(try ImageRunner.run(first.reference, authFile: nil).output == "version: AAA\nedition: first\n")

        // Same length, so the same size and the same build ID `fixed`: only
        // the content tells the two binaries apart.
        try Self.writeKoYAML(in: module, version: "BBB", buildID: buildID)
        let second = try Self.build("./cmd/show", in: module.path, environment: env, verbose: true)
        #expect(!second.log.contains("layer cache hit for unchanged"), "the relinked binary was taken as unchanged")
        #expect(second.reference != first.reference)
        #expect(try ImageRunner.run(second.reference, authFile: nil).output == "version: BBB\nedition: first\n")

        // An edit of the source that keeps the binary's size.
        try Self.writeProgram(in: module, edition: "again")
        let third = try Self.build("./cmd/show", in: module.path, environment: env, verbose: true)
        #expect(!third.log.contains("layer cache hit for unchanged"), "the relinked binary was taken as unchanged")
        #expect(third.reference != second.reference)
        #expect(try ImageRunner.run(third.reference, authFile: nil).output == "version: BBB\nedition: again\n")

        // Nothing changed: Go links again (it cannot trust a fixed ID either),
        // and the layer is found by hashing the binary, so the image is the same.
        let fourth = try Self.build("./cmd/show", in: module.path, environment: env, verbose: true)
        #expect(fourth.reference == third.reference)
        #expect(fourth.log.contains("layer cache hit"))
        #expect(!fourth.log.contains("layer cache stored"), "nothing was compressed again")
    }

    @Test func aDamagedCachedBlobIsCompressedAgainAndTheImageIsIntact() throws {
        let registry = try RegistryFixture.start(auth: .none)
        let base = try BaseImages.seed(host: registry.host, authFile: nil)
        let module = try GoModuleFixture()
        let cache = try TemporaryDirectory("ko-cache")
        let dockerConfig = try DockerConfigDirectory()
        var env = KoBuildEndToEndTests.environment(dockerConfig: dockerConfig, repo: "\(registry.host)/first",
                                                   base: base)
        env["KOCACHE"] = cache.path
        let first = try Self.build("./cmd/greeter", in: module.root, environment: env)

        // 64 bytes in the middle of every cached blob (the kodata and the
        // binary layer), overwritten in place: sizes stay, digests do not.
        let blobs = cache.path + "/layers/blobs"
        let names = try FileManager.default.contentsOfDirectory(atPath: blobs).filter { $0.hasPrefix("sha256-") }
        try #require(names.count == 2, "the kodata and binary layers are cached: \(names)")
        for name in names { try Self.damage(blobs + "/" + name) }
        for name in names { #expect(try Self.sha256Hex(blobs + "/" + name) != Self.hex(ofBlobName: name)) }

        // A new repository has neither blob, so both are uploaded.
        env["KO_DOCKER_REPO"] = "\(registry.host)/second"
        let second = try Self.build("./cmd/greeter", in: module.root, environment: env)
        #expect(!second.log.contains("DIGEST_INVALID"))
        #expect(second.log.components(separatedBy: "was damaged").count == 3,
                "each damaged blob is reported once: \(second.log)")
        #expect(Self.digest(of: second.reference) == Self.digest(of: first.reference), "the same image")
        let outcome = try ImageRunner.run(second.reference, authFile: nil)
        #expect(outcome.output == GoModuleFixture.expectedOutput())

        // The cache holds good copies again, under the same names.
        let mended = try FileManager.default.contentsOfDirectory(atPath: blobs).filter { $0.hasPrefix("sha256-") }
        #expect(mended.sorted() == names.sorted())
        for name in mended { #expect(try Self.sha256Hex(blobs + "/" + name) == Self.hex(ofBlobName: name)) }

        env["KO_DOCKER_REPO"] = "\(registry.host)/third"
        let third = try Self.build("./cmd/greeter", in: module.root, environment: env, verbose: true)
        #expect(!third.log.contains("damaged"))
        #expect(third.log.components(separatedBy: "layer cache hit").count == 3, "both layers hit")
        #expect(Self.digest(of: third.reference) == Self.digest(of: first.reference))
    }

    @Test func aTarballIsWrittenFromMendedLayersNotDamagedOnes() throws {
        let registry = try RegistryFixture.start(auth: .none)
        let base = try BaseImages.seed(host: registry.host, authFile: nil)
        let module = try GoModuleFixture()
        let cache = try TemporaryDirectory("ko-cache")
        let out = try TemporaryDirectory("ko-tarball")
        let dockerConfig = try DockerConfigDirectory()
        var env = KoBuildEndToEndTests.environment(dockerConfig: dockerConfig, repo: "\(registry.host)/tar",
                                                   base: base)
        env["KOCACHE"] = cache.path
        _ = try Self.build("./cmd/greeter", in: module.root, environment: env)
        let blobs = cache.path + "/layers/blobs"
        let names = try FileManager.default.contentsOfDirectory(atPath: blobs).filter { $0.hasPrefix("sha256-") }
        try #require(names.count == 2, "the kodata and binary layers are cached: \(names)")
        for name in names { try Self.damage(blobs + "/" + name) }

        // No registry sees these layers: the tarball takes the files as they are.
        let result = try ProcessRunner.run(Products.ko, ["build", "--push=false", "--tarball", out.path + "/image.tar",
                                                         "--bare", "./cmd/greeter"],
                                           environment: env, directory: module.root)
        try #require(result.status == 0, "ko build failed: \(result.errorOutput)")
        #expect(result.errorOutput.components(separatedBy: "was damaged").count == 3, "\(result.errorOutput)")
        let outcome = try ImageRunner.run(source: "docker-archive:\(out.path)/image.tar")
        #expect(outcome.output == GoModuleFixture.expectedOutput())
        for name in names { #expect(try Self.sha256Hex(blobs + "/" + name) == Self.hex(ofBlobName: name)) }
    }

    /// Flips 64 bytes in the middle of `path`, in place (same inode, same size).
    static func damage(_ path: String) throws {
        let handle = try #require(FileHandle(forUpdatingAtPath: path))
        defer { try? handle.close() }
        let size = try handle.seekToEnd()
        try #require(size >= 64, "\(path) is too small to damage")
        let offset = size / 2 - 32
        try handle.seek(toOffset: offset)
        let original = try #require(try handle.read(upToCount: 64))
        try handle.seek(toOffset: offset)
        try handle.write(contentsOf: Data(original.map { $0 ^ 0xFF }))
    }

    static func sha256Hex(_ path: String) throws -> String {
        String(try ProcessRunner.check("sha256sum", [path]).output.prefix(64))
    }

    /// `sha256-<hex>.tar.gz` → `<hex>`.
    static func hex(ofBlobName name: String) -> String {
        String(name.dropFirst("sha256-".count).prefix(64))
    }
}
