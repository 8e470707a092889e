import Foundation
import Testing
import TestSupport

/// SBOMs pushed next to the image, as ko does and as an OCI referrer.
@Suite(.serialized)
struct KoSBOMTests {
    /// A module with one dependency, served from a local `replace` so no network is needed.
    static func moduleWithDependency() throws -> TemporaryDirectory {
        let root = try TemporaryDirectory("ko-sbom-mod")
        try root.write("dep/go.mod", "module example.net/dep\n\ngo 1.19\n")
        try root.write("dep/dep.go", "package dep\n\n// Word is what the app prints.\nconst Word = \"dependency\"\n")
        try root.write("app/go.mod", """
            module example.org/app

            go 1.19

            require example.net/dep v0.1.0

            replace example.net/dep => ../dep

            """)
        try root.write("app/cmd/tool/main.go", """
            package main

            import (
            \t"fmt"

            \t"example.net/dep"
            )

            func main() { fmt.Println(dep.Word) }

            """)
        return root
    }

    @Test func theSBOMIsInTheRegistryAndListsTheModuleAndItsDependencies() throws {
        let registry = try RegistryFixture.start(auth: .none)
        let base = try BaseImages.seed(host: registry.host, authFile: nil)
        let root = try Self.moduleWithDependency()
        let sbomDirectory = try TemporaryDirectory("ko-sbom-out")
        let dockerConfig = try DockerConfigDirectory()
        let env = KoBuildEndToEndTests.environment(dockerConfig: dockerConfig, repo: "\(registry.host)/s", base: base)
        let result = try ProcessRunner.run(Products.ko, ["build", "--bare", "--sbom-dir", sbomDirectory.path,
                                                         "./cmd/tool"],
                                           environment: env, directory: root.path + "/app")
        try #require(result.status == 0, "ko build failed: \(result.errorOutput)")
        let reference = result.output.trimmingCharacters(in: .whitespacesAndNewlines)
        let hex = try #require(reference.split(separator: ":").last.map(String.init))

        // cosign's tag, as ko pushes it.
        let pulled = try TemporaryDirectory("ko-sbom-pull")
        try ProcessRunner.check("skopeo", ["copy", "--quiet", "--src-tls-verify=false",
                                           "docker://\(registry.host)/s:sha256-\(hex).sbom", "dir:\(pulled.path)"])
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath:
                                                                                   pulled.path + "/manifest.json")))
        let layers = try #require((manifest as? [String: Any])?["layers"] as? [[String: Any]])
        #expect(layers.first?["mediaType"] as? String == "text/spdx+json")
        let layerDigest = try #require(layers.first?["digest"] as? String)
        let sbom = try String(contentsOfFile: pulled.path + "/" + layerDigest.replacingOccurrences(of: "sha256:",
                                                                                                   with: ""),
                              encoding: .utf8)
        #expect(sbom.contains("\"spdxVersion\": \"SPDX-2.3\""))
        #expect(sbom.contains("pkg:golang/example.org/app"))
        #expect(sbom.contains("pkg:golang/example.net/dep"))

        // Beyond ko: the OCI referrers fallback tag lists an SPDX referrer of the image.
        let referrers = try ProcessRunner.check("skopeo", ["inspect", "--raw", "--tls-verify=false",
                                                            "docker://\(registry.host)/s:sha256-\(hex)"])
        #expect(referrers.output.contains("\"artifactType\":\"application/spdx+json\""))

        let written = try FileManager.default.contentsOfDirectory(atPath: sbomDirectory.path)
        #expect(written == ["tool-linux-amd64.spdx.json"])
    }

    @Test func sbomNonePushesNoSBOM() throws {
        let registry = try RegistryFixture.start(auth: .none)
        let base = try BaseImages.seed(host: registry.host, authFile: nil)
        let module = try GoModuleFixture()
        let dockerConfig = try DockerConfigDirectory()
        let env = KoBuildEndToEndTests.environment(dockerConfig: dockerConfig, repo: "\(registry.host)/n", base: base)
        let result = try ProcessRunner.run(Products.ko, ["build", "--bare", "--sbom=none", "./cmd/greeter"],
                                           environment: env, directory: module.root)
        try #require(result.status == 0, "ko build failed: \(result.errorOutput)")
        let tags = try ProcessRunner.check("skopeo", ["list-tags", "--tls-verify=false",
                                                       "docker://\(registry.host)/n"])
        #expect(!tags.output.contains(".sbom"))
    }
}
