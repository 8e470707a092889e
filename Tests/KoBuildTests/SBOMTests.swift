import Foundation
import KoImage
import KoJSON
import KoProcess
import Testing
import TestSupport
@testable import KoBuild

/// SPDX documents from real Go binaries, checked field by field and by the
/// SPDX project's own validator (`pyspdxtools`, PyPI spdx-tools).
struct SBOMTests {
    /// A main module that depends on a module from a local file:// module
    /// proxy (so go.sum records its h1: hash) and on one replaced by a
    /// directory; built offline into `binary`.
    final class GoBinary {
        let work: TemporaryDirectory
        let binary: String
        let fetchedSum: String
        static let mainModule = "github.com/Someone/App"

        init() throws {
            work = try TemporaryDirectory("ko-sbom")
            try work.write("local/go.mod", "module example.com/Local/lib\n\ngo 1.19\n")
            try work.write("local/lib.go", "package lib\n\nconst Word = \"local\"\n")
            try Self.writeProxyModule(into: work)
            try work.write("app/go.mod", """
                module \(Self.mainModule)

                go 1.19

                require (
                \texample.com/Local/lib v1.2.3
                \texample.com/fetched/dep v1.0.0
                )

                replace example.com/Local/lib => ../local

                """)
            try work.write("app/main.go", """
                package main

                import (
                \t"fmt"

                \t"example.com/Local/lib"
                \t"example.com/fetched/dep"
                )

                func main() { fmt.Println(lib.Word, dep.Name) }

                """)
            binary = work.path + "/out/app"
            var environment = ProcessInfo.processInfo.environment
            environment["GOFLAGS"] = "-mod=mod -modcacherw"
            environment["GOPROXY"] = "file://" + work.path + "/proxy"
            environment["GOSUMDB"] = "off"
            environment["GOMODCACHE"] = work.path + "/modcache"
            environment["CGO_ENABLED"] = "0"
            let build = try ChildProcess.run("go", ["build", "-trimpath", "-o", binary, "."],
                                             environment: environment, directory: work.path + "/app")
            guard build.status == 0 else { throw TestSupportError("go build failed: \(build.errorText)") }
            let sums = try String(contentsOfFile: work.path + "/app/go.sum", encoding: .utf8)
            let line = sums.split(separator: "\n").first { $0.hasPrefix("example.com/fetched/dep v1.0.0 h1:") }
            fetchedSum = String(line?.split(separator: " ").last ?? "")
        }

        /// A module proxy directory (GOPROXY=file://...) serving example.com/fetched/dep v1.0.0.
        private static func writeProxyModule(into work: TemporaryDirectory) throws {
            let files = ["go.mod": "module example.com/fetched/dep\n\ngo 1.19\n",
                         "dep.go": "package dep\n\nconst Name = \"fetched\"\n"]
            let versions = "proxy/example.com/fetched/dep/@v/"
            try work.write(versions + "list", "v1.0.0\n")
            try work.write(versions + "v1.0.0.info", #"{"Version":"v1.0.0","Time":"2020-01-01T00:00:00Z"}"#)
            try work.write(versions + "v1.0.0.mod", files["go.mod"] ?? "")
            for (name, text) in files { try work.write("zip/example.com/fetched/dep@v1.0.0/" + name, text) }
            let zip = try ChildProcess.run("python3", ["-c", """
                import os, sys, zipfile
                os.chdir(sys.argv[1])
                with zipfile.ZipFile(sys.argv[2], 'w') as z:
                    for name in sorted(os.listdir('example.com/fetched/dep@v1.0.0')):
                        z.write('example.com/fetched/dep@v1.0.0/' + name)
                """, work.path + "/zip", work.path + "/" + versions + "v1.0.0.zip"],
                environment: ProcessInfo.processInfo.environment)
            guard zip.status == 0 else { throw TestSupportError("zip failed: \(zip.errorText)") }
        }
    }

    /// An image with a base recorded in its annotations, created at a fixed time.
    static func image(architecture: String, created: String = "2023-11-14T22:13:20Z") throws -> BuiltImage {
        var config = ImageConfig(platform: Platform(os: "linux", architecture: architecture,
                                                    variant: architecture == "arm64" ? "v8" : nil))
        config.created = created
        let configBytes = config.canonicalBytes
        let manifest = Manifest(config: Descriptor(mediaType: MediaType.ociConfig, digest: config.digest,
                                                   size: Int64(configBytes.count)), layers: [])
        var mutation = ImageMutation(baseManifest: manifest, baseConfig: config)
        mutation.setBaseImageAnnotations(name: "cgr.dev/chainguard/static:latest",
                                         digest: Digest(hex: String(repeating: "ab", count: 32)))
        return try mutation.build()
    }

    // MARK: - go version -m

    @Test func readsTheBuildInfoOfARealBinary() throws {
        let go = try GoBinary()
        let info = try GoBuildInfo.read(binary: go.binary, environment: ProcessInfo.processInfo.environment)
        #expect(info.goVersion?.hasPrefix("go1.") == true)
        #expect(info.path == GoBinary.mainModule)
        #expect(info.main == GoBuildInfo.Module(path: GoBinary.mainModule, version: "(devel)"))
        #expect(info.dependencies.map(\.path) == ["example.com/Local/lib", "example.com/fetched/dep"])
        #expect(info.dependencies.first?.replacement?.path == "../local")
        #expect(info.dependencies.first?.sum == "")
        #expect(go.fetchedSum.hasPrefix("h1:"))
        #expect(info.dependencies.last?.sum == go.fetchedSum)
        #expect(info.settings.contains { $0.key == "CGO_ENABLED" && $0.value == "0" })
        #expect(info.settings.contains { $0.key == "-trimpath" && $0.value == "true" })
    }

    @Test func parsesReplacementsOfTheMainModuleAndIgnoresUnknownLines() throws {
        let text = "bin: go1.21.0\n\tpath\tx.example/cmd\n\tmod\tx.example\tv1.0.0\th1:AAAA\n"
            + "\t=>\t../x\t(devel)\t\n\tfuture\tsomething\n\tbuild\tGOOS=linux\n"
        let info = try GoBuildInfo(goVersionOutput: text)
        #expect(info.goVersion == "go1.21.0")
        #expect(info.main?.replacement == GoBuildInfo.Replacement(path: "../x", version: "(devel)", sum: ""))
        #expect(info.dependencies.isEmpty)
        #expect(info.settings.map(\.key) == ["GOOS"])
    }

    @Test(arguments: ["b: go1.20\n\tdep\tonly-a-path\n", "b: go1.20\n\t=>\t../x\tv1\n",
                      "b: go1.20\n\tbuild\tnoequals\n"])
    func malformedBuildInfoNamesTheLine(_ text: String) {
        #expect {
            try GoBuildInfo(goVersionOutput: text)
        } throws: { error in
            "\(error)".contains("line 2")
        }
    }

    // MARK: - Image SBOM

    @Test func imageDocumentDescribesImageBaseModuleAndDependencies() throws {
        let go = try GoBinary()
        let info = try GoBuildInfo.read(binary: go.binary, environment: ProcessInfo.processInfo.environment)
        let image = try Self.image(architecture: "amd64")
        let bytes = try SPDXDocument.forImage(image, buildInfo: info, koVersion: "v0.15.0")
        #expect(try SPDXDocument.forImage(image, buildInfo: info, koVersion: "v0.15.0") == bytes)
        #expect(bytes.last == UInt8(ascii: "\n"))

        let json = try JSONValue(parsing: bytes)
        let imageID = "SPDXRef-Package-sha256-\(image.digest.hex)"
        let baseID = "SPDXRef-Package-sha256-" + String(repeating: "ab", count: 32)
        let mainID = "SPDXRef-Package-github.com.Someone.App--devel-"
        let localID = "SPDXRef-Package-example.com.Local.lib-v1.2.3"
        let fetchedID = "SPDXRef-Package-example.com.fetched.dep-v1.0.0"
        #expect(json["spdxVersion"]?.stringValue == "SPDX-2.3")
        #expect(json["SPDXID"]?.stringValue == "SPDXRef-DOCUMENT")
        #expect(json["name"]?.stringValue == "sbom-\(image.digest)")
        #expect(json["documentNamespace"]?.stringValue == "http://spdx.org/spdxdocs/ko/\(image.digest)")
        #expect(json["creationInfo"]?["created"]?.stringValue == "2023-11-14T22:13:20Z")
        #expect(json["creationInfo"]?["creators"]?.stringArray == ["Tool: ko v0.15.0"])
        #expect(json["documentDescribes"]?.stringArray == [imageID])

        let relationships = (json["relationships"]?.arrayValue ?? []).map { relation in
            [relation["spdxElementId"]?.stringValue, relation["relationshipType"]?.stringValue,
             relation["relatedSpdxElement"]?.stringValue].compactMap { $0 }.joined(separator: " ")
        }
        #expect(relationships == [
            "SPDXRef-DOCUMENT DESCRIBES \(imageID)", "\(imageID) DESCENDANT_OF \(baseID)",
            "\(imageID) CONTAINS \(mainID)", "\(mainID) DEPENDS_ON \(localID)", "\(mainID) DEPENDS_ON \(fetchedID)",
        ])

        let packages = Dictionary(uniqueKeysWithValues: (json["packages"]?.arrayValue ?? []).compactMap { item in
            item["SPDXID"]?.stringValue.map { ($0, item) }
        })
        #expect(packages.count == 5)
        #expect(purl(packages[imageID]) == "pkg:oci/image@\(image.digest)?mediaType="
                + "application%2Fvnd.oci.image.manifest.v1%2Bjson")
        #expect(packages[imageID]?["primaryPackagePurpose"]?.stringValue == "CONTAINER")
        #expect(packages[baseID]?["name"]?.stringValue
                == "cgr.dev/chainguard/static@sha256:" + String(repeating: "ab", count: 32))
        #expect(packages[baseID]?["versionInfo"]?.stringValue == "cgr.dev/chainguard/static:latest")
        #expect(purl(packages[baseID]) == "pkg:oci/image@sha256:" + String(repeating: "ab", count: 32)
                + "?repository_url=cgr.dev%2Fchainguard%2Fstatic&tag=latest")
        #expect(packages[mainID]?["downloadLocation"]?.stringValue == "https://github.com/Someone/App")
        #expect(purl(packages[mainID]) == "pkg:golang/github.com/someone/App@(devel)?type=module")
        #expect(packages[localID]?["checksums"] == nil)
        #expect(packages[fetchedID]?["versionInfo"]?.stringValue == "v1.0.0")
        #expect(packages[fetchedID]?["downloadLocation"]?.stringValue
                == "https://proxy.golang.org/example.com/fetched/dep/@v/v1.0.0.zip")
        let expectedChecksum = try #require(Data(base64Encoded: String(go.fetchedSum.dropFirst(3))))
            .map { String(format: "%02x", $0) }.joined()
        #expect(packages[fetchedID]?["checksums"]?.arrayValue?.first?["checksumValue"]?.stringValue
                == expectedChecksum)
        #expect(packages[fetchedID]?["checksums"]?.arrayValue?.first?["algorithm"]?.stringValue == "SHA256")

        try validate(bytes, name: "image")
    }

    @Test func creationTimeDefaultsToGoZeroTime() throws {
        let info = try GoBuildInfo(goVersionOutput: "b: go1.20\n\tpath\tx.example/a\n\tmod\tx.example/a\t(devel)\t\n")
        var image = try Self.image(architecture: "amd64")
        image.config.created = nil
        let json = try JSONValue(parsing: try SPDXDocument.forImage(image, buildInfo: info, koVersion: "dev"))
        #expect(json["creationInfo"]?["created"]?.stringValue == "0001-01-01T00:00:00Z")
    }

    // MARK: - Index SBOM

    @Test func indexDocumentListsEachPlatformAsAVariant() throws {
        let amd64 = try Self.image(architecture: "amd64", created: "2024-02-03T04:05:06Z")
        let arm64 = try Self.image(architecture: "arm64")
        var mutation = IndexMutation(baseIndex: ImageIndex(annotations: [
            ImageMutation.baseNameAnnotation: "alpine",
            ImageMutation.baseDigestAnnotation: "sha256:" + String(repeating: "cd", count: 32),
        ]))
        for image in [amd64, arm64] {
            mutation.append(image, baseEntry: Descriptor(mediaType: MediaType.ociManifest, digest: image.digest,
                                                         size: 0, platform: image.config.platform))
        }
        let (indexBytes, descriptor) = try mutation.build()
        let bytes = try SPDXDocument.forIndex(try ImageIndex(parsing: indexBytes), descriptor: descriptor,
                                              images: [amd64, arm64], koVersion: "v0.15.0")
        let json = try JSONValue(parsing: bytes)
        let indexID = "SPDXRef-Package-sha256-\(descriptor.digest.hex)"
        #expect(json["creationInfo"]?["created"]?.stringValue == "2024-02-03T04:05:06Z")
        #expect(json["documentDescribes"]?.stringArray == [indexID])
        let packages = json["packages"]?.arrayValue ?? []
        #expect(packages.count == 4)
        #expect(purl(packages.first) == "pkg:oci/index@\(descriptor.digest)?mediaType="
                + "application%2Fvnd.oci.image.index.v1%2Bjson")
        #expect(packages.first?["checksums"]?.arrayValue?.first?["checksumValue"]?.stringValue
                == descriptor.digest.hex)
        #expect(packages[1]["versionInfo"]?.stringValue == "alpine")
        #expect(purl(packages[1]) == "pkg:oci/image@sha256:" + String(repeating: "cd", count: 32)
                + "?repository_url=index.docker.io%2Flibrary%2Falpine&tag=latest")
        #expect(packages[3]["versionInfo"]?.stringValue == "linux/arm64/v8")
        #expect(purl(packages[3]) == "pkg:oci/image@\(arm64.digest)?arch=arm64&mediaType="
                + "application%2Fvnd.oci.image.manifest.v1%2Bjson&os=linux&variant=v8")
        let types = (json["relationships"]?.arrayValue ?? []).compactMap { $0["relationshipType"]?.stringValue }
        #expect(types == ["DESCENDANT_OF", "VARIANT_OF", "VARIANT_OF"])

        try validate(bytes, name: "index")
    }

    // MARK: - Names

    @Test(arguments: [
        ("alpine", "index.docker.io/library/alpine", "latest"),
        ("docker.io/someone/tool:1.2", "index.docker.io/someone/tool", "1.2"),
        ("cgr.dev/chainguard/static:latest", "cgr.dev/chainguard/static", "latest"),
        ("localhost:5000/base@sha256:" + String(repeating: "0", count: 64), "localhost:5000/base", nil),
        ("127.0.0.1:5000/a/b/c", "127.0.0.1:5000/a/b/c", "latest"),
    ] as [(String, String, String?)])
    func baseImageNamesNormalizeLikeGoContainerRegistry(_ reference: String, _ repository: String,
                                                        _ tag: String?) throws {
        let name = try BaseImageName(parsing: reference)
        #expect(name.repository == repository)
        #expect(name.tag == tag)
    }

    @Test func jsonEscapesLikeGo() {
        let json = JSONValue.object(["a": .string("<&>\"\\\n\u{1}é"), "b": .array([]), "c": .bool(true)])
        #expect(String(decoding: SPDXDocument.encode(json), as: UTF8.self)
                == "{\n  \"a\": \"\\u003c\\u0026\\u003e\\\"\\\\\\n\\u0001é\",\n  \"b\": [],\n  \"c\": true\n}\n")
    }

    // MARK: - Helpers

    private func purl(_ package: JSONValue?) -> String? {
        package?["externalRefs"]?.arrayValue?.first?["referenceLocator"]?.stringValue
    }

    /// Runs the SPDX project's validator; it exits non-zero and prints the
    /// problems for an invalid document.
    private func validate(_ bytes: [UInt8], name: String) throws {
        let directory = try TemporaryDirectory("ko-spdx")
        let file = directory.path + "/\(name).spdx.json"
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        guard ChildProcess.resolve("pyspdxtools", searchPath: ProcessInfo.processInfo.environment["PATH"]) != nil else {
            Issue.record("pyspdxtools is not installed: run 'python3 -m pip install spdx-tools'")
            return
        }
        let result = try ChildProcess.run("pyspdxtools", ["-i", file],
                                          environment: ProcessInfo.processInfo.environment)
        #expect(result.status == 0, "pyspdxtools rejected the \(name) SBOM: \(result.outputText)\(result.errorText)")
    }
}
