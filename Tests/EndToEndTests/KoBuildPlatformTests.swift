import Foundation
import Testing
import TestSupport

/// Multi-platform builds on a multi-platform base, as ko does them.
@Suite(.serialized)
struct KoBuildPlatformTests {
    /// e_machine of an ELF file: x86-64 62, AArch64 183, ARM 40.
    static func elfMachine(_ path: String) throws -> Int {
        let handle = try #require(FileHandle(forReadingAtPath: path))
        defer { try? handle.close() }
        let header = [UInt8](handle.readData(ofLength: 20))
        try #require(header.count == 20 && header[0..<4] == [0x7f, 0x45, 0x4c, 0x46], "\(path) is not ELF")
        return Int(header[18]) | Int(header[19]) << 8
    }

    @Test func threePlatformsMakeAnIndexWhoseChildrenCarryTheRightBinaries() throws {
        let registry = try RegistryFixture.start(auth: .basic())
        let dockerConfig = try DockerConfigDirectory()
        try dockerConfig.writeAuths([registry.host: (try #require(registry.username),
                                                      try #require(registry.password))])
        let base = try BaseImages.seed(host: registry.host, repository: "base/multi",
                                       platforms: ["linux/amd64", "linux/arm64", "linux/arm/v7", "linux/s390x"],
                                       authFile: dockerConfig.configFile)
        let module = try GoModuleFixture()
        let refs = try TemporaryDirectory("ko-refs")
        let env = KoBuildEndToEndTests.environment(dockerConfig: dockerConfig, repo: "\(registry.host)/multi",
                                                   base: base)
        let result = try ProcessRunner.run(Products.ko, ["build", "--platform=linux/amd64,linux/arm64",
                                                         "--platform", "linux/arm/v7", "-B",
                                                         "--image-refs", refs.path + "/refs.txt", "./cmd/greeter"],
                                           environment: env, directory: module.root)
        try #require(result.status == 0, "ko build failed: \(result.errorOutput)")
        let indexReference = result.output.trimmingCharacters(in: .whitespacesAndNewlines)

        let raw = try ProcessRunner.check("skopeo", ["inspect", "--raw", "--tls-verify=false", "--authfile",
                                                      dockerConfig.configFile, "docker://\(indexReference)"])
        let index = try #require(try JSONSerialization.jsonObject(with: Data(raw.standardOutput)) as? [String: Any])
        #expect(index["mediaType"] as? String == "application/vnd.oci.image.index.v1+json")
        let manifests = try #require(index["manifests"] as? [[String: Any]])
        let platforms = manifests.compactMap { $0["platform"] as? [String: String] }
            .map { [$0["os"], $0["architecture"], $0["variant"]].compactMap { $0 }.joined(separator: "/") }
        // The base's order, only the wanted platforms, no attestation entry.
        #expect(platforms == ["linux/amd64", "linux/arm64", "linux/arm/v7"])

        // --image-refs lists the index, then each child.
        let listed = try String(contentsOfFile: refs.path + "/refs.txt", encoding: .utf8)
            .split(separator: "\n").map(String.init)
        #expect(listed.count == 4)
        #expect(listed.first == indexReference)

        let expectedMachines = [62, 183, 40]
        for (manifest, machine) in zip(manifests, expectedMachines) {
            let digest = try #require(manifest["digest"] as? String)
            let child = "\(registry.host)/multi/greeter@\(digest)"
            #expect(listed.contains(child))
            let unpacked = try TemporaryDirectory("ko-child")
            try ProcessRunner.check("skopeo", ["copy", "--quiet", "--src-tls-verify=false", "--authfile",
                                               dockerConfig.configFile, "docker://\(child)",
                                               "oci:\(unpacked.path)/layout:child"])
            try ProcessRunner.check("umoci", ["unpack", "--image", "\(unpacked.path)/layout:child",
                                              "\(unpacked.path)/bundle"])
            let rootfs = "\(unpacked.path)/bundle/rootfs"
            #expect(try Self.elfMachine(rootfs + "/ko-app/greeter") == machine)
            // The base layer of the matching platform lies underneath.
            let osRelease = try String(contentsOfFile: rootfs + "/etc/os-release", encoding: .utf8)
            let platform = platforms[expectedMachines.firstIndex(of: machine) ?? 0]
            #expect(osRelease.contains("PLATFORM=\(platform)"))
        }

        let amd64 = "\(registry.host)/multi/greeter@\(try #require(manifests[0]["digest"] as? String))"
        let outcome = try ImageRunner.run(amd64, authFile: dockerConfig.configFile)
        #expect(outcome.output == GoModuleFixture.expectedOutput())
    }

    @Test func aSingleMatchingPlatformGivesAPlainImage() throws {
        let registry = try RegistryFixture.start(auth: .none)
        let base = try BaseImages.seed(host: registry.host, repository: "base/multi",
                                       platforms: ["linux/amd64", "linux/arm64"], authFile: nil)
        let module = try GoModuleFixture()
        let dockerConfig = try DockerConfigDirectory()
        let env = KoBuildEndToEndTests.environment(dockerConfig: dockerConfig, repo: "\(registry.host)/one",
                                                   base: base)
        let result = try ProcessRunner.run(Products.ko, ["build", "--platform=linux/arm64", "./cmd/greeter"],
                                           environment: env, directory: module.root)
        try #require(result.status == 0, "ko build failed: \(result.errorOutput)")
        let raw = try ProcessRunner.check("skopeo", ["inspect", "--raw", "--tls-verify=false",
                                                      "docker://\(result.output.trimmingCharacters(in: .whitespacesAndNewlines))"])
        #expect(raw.output.contains("application/vnd.oci.image.manifest.v1+json"))
        #expect(raw.output.contains("org.opencontainers.image.base.name"))
    }

    @Test func aSinglePlatformBaseThatDoesNotMatchIsRefusedNamingBoth() throws {
        let registry = try RegistryFixture.start(auth: .none)
        let base = try BaseImages.seed(host: registry.host, authFile: nil)
        let module = try GoModuleFixture()
        let dockerConfig = try DockerConfigDirectory()
        let env = KoBuildEndToEndTests.environment(dockerConfig: dockerConfig, repo: "\(registry.host)/x", base: base)
        let result = try ProcessRunner.run(Products.ko, ["build", "--platform=linux/arm64", "./cmd/greeter"],
                                           environment: env, directory: module.root)
        #expect(result.status == 1)
        #expect(result.errorOutput.contains("linux/arm64"))
        #expect(result.errorOutput.contains("linux/amd64"))
    }

    @Test func anOCILayoutIsReadByUmoci() throws {
        let registry = try RegistryFixture.start(auth: .none)
        let base = try BaseImages.seed(host: registry.host, authFile: nil)
        let module = try GoModuleFixture()
        let layout = try TemporaryDirectory("ko-layout")
        let dockerConfig = try DockerConfigDirectory()
        let env = KoBuildEndToEndTests.environment(dockerConfig: dockerConfig, repo: nil, base: base)
        let result = try ProcessRunner.run(Products.ko, ["build", "--push=false", "--oci-layout-path",
                                                         layout.path + "/out", "-t", "dev", "./cmd/greeter"],
                                           environment: env, directory: module.root)
        try #require(result.status == 0, "ko build failed: \(result.errorOutput)")
        try ProcessRunner.check("umoci", ["unpack", "--image", "\(layout.path)/out:dev", "\(layout.path)/bundle"])
        #expect(FileManager.default.fileExists(atPath: "\(layout.path)/bundle/rootfs/ko-app/greeter"))
        #expect(FileManager.default.fileExists(atPath: "\(layout.path)/bundle/rootfs/var/run/ko/motd.txt"))
    }
}
