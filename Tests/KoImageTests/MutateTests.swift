import TestSupport
import Testing
@testable import KoImage

/// ImageMutation and IndexMutation: what ko's buildOne/buildAll produce.
struct MutateTests {
    private static let baseLayer = Descriptor(mediaType: MediaType.dockerLayerGzip,
                                              digest: Digest(hex: String(repeating: "c", count: 64)), size: 100)

    private func base(docker: Bool) throws -> (Manifest, ImageConfig) {
        let config = try ImageConfig(parsing: Array(ConfigTests.baseConfig.utf8))
        let manifest = Manifest(
            mediaType: docker ? MediaType.dockerManifest : MediaType.ociManifest,
            config: Descriptor(mediaType: docker ? MediaType.dockerConfig : MediaType.ociConfig,
                               digest: config.digest, size: Int64(config.canonicalBytes.count)),
            layers: [docker ? Self.baseLayer : Self.baseLayer.withType(MediaType.ociLayerGzip)],
            annotations: ["keep": "me"])
        return (manifest, config)
    }

    private func layers(_ work: TemporaryDirectory) throws -> (Layer, Layer) {
        let binary = try work.write("out/app", "binary")
        try work.write("cmd/app/kodata/x.txt", "x")
        let kodata = try KodataLayer.build(packageDirectory: work.path + "/cmd/app", moduleRoot: work.path,
                                           in: work.path + "/layers")
        let app = try BinaryLayer.build(binary: binary, name: "app", in: work.path + "/layers")
        return (kodata, app)
    }

    @Test(arguments: [true, false])
    func appendedLayersMatchTheBaseFormat(docker: Bool) throws {
        let work = try TemporaryDirectory()
        let (kodata, app) = try layers(work)
        let (manifest, config) = try base(docker: docker)
        var mutation = ImageMutation(baseManifest: manifest, baseConfig: config)
        try mutation.appendKoLayers(kodata: kodata, binary: app, reference: "ko://example.com/cmd/app",
                                    appPath: "/ko-app/app")
        mutation.applyKoConventions(appPath: "/ko-app/app")
        let image = try mutation.build()

        let layerType = docker ? MediaType.dockerLayerGzip : MediaType.ociLayerGzip
        #expect(image.manifest.mediaType == (docker ? MediaType.dockerManifest : MediaType.ociManifest))
        #expect(image.manifest.config.mediaType == (docker ? MediaType.dockerConfig : MediaType.ociConfig))
        #expect(image.manifest.layers.count == 3)
        #expect(image.manifest.layers.dropFirst().allSatisfy { $0.mediaType == layerType })
        #expect(image.manifest.layers[1].digest == kodata.digest && image.manifest.layers[2].digest == app.digest)
        #expect(image.manifest.annotations == ["keep": "me"])
        #expect(image.baseLayers.count == 1)
        #expect(image.addedLayers.map(\.descriptor.mediaType) == [layerType, layerType])

        #expect(image.configDescriptor.digest == Digest.sha256(of: image.configBytes))
        #expect(image.manifestDescriptor.digest == Digest.sha256(of: image.manifestBytes))
        #expect(image.manifestDescriptor.size == Int64(image.manifestBytes.count))
        #expect(try Manifest(parsing: image.manifestBytes) == image.manifest)
    }

    @Test func configGetsKosEntrypointEnvHistoryAndDiffIDs() throws {
        let work = try TemporaryDirectory()
        let (kodata, app) = try layers(work)
        let (manifest, config) = try base(docker: false)
        var mutation = ImageMutation(baseManifest: manifest, baseConfig: config)
        try mutation.appendKoLayers(kodata: kodata, binary: app, reference: "ko://example.com/cmd/app",
                                    appPath: "/ko-app/app", kodataCreated: ImageTime.rfc3339(epochSeconds: 10))
        mutation.applyKoConventions(appPath: "/ko-app/app", labels: ["team": "core"],
                                    created: ImageTime.rfc3339(epochSeconds: 0))
        let built = try mutation.build().config

        #expect(built.entrypoint == ["/ko-app/app"])
        #expect(built.cmd == nil)
        #expect(built.env == ["PATH=/usr/bin:/bin:/ko-app", "LANG=C", "KO_DATA_PATH=/var/run/ko"])
        #expect(built.author == "github.com/ko-build/ko")
        #expect(built.labels == ["vendor": "acme", "team": "core"])
        #expect(built.created == "1970-01-01T00:00:00Z")
        #expect(built.user == "65532")
        #expect(try built.diffIDs().suffix(2) == [kodata.diffID, app.diffID])
        let history = built.history
        #expect(history.count == 3)
        #expect(history[1] == HistoryEntry(author: "ko", created: "1970-01-01T00:00:10Z",
                                           createdBy: "ko build ko://example.com/cmd/app",
                                           comment: "kodata contents, at $KO_DATA_PATH"))
        #expect(history[2] == HistoryEntry(author: "ko", created: ImageTime.goZero,
                                           createdBy: "ko build ko://example.com/cmd/app",
                                           comment: "go build output, at /ko-app/app"))
        #expect(built.json["x-vendor-extension"] == config.json["x-vendor-extension"])
    }

    @Test func pathIsAddedWhenTheBaseHasNone() {
        var env = ["HOME=/root"]
        ImageMutation.appendToPath(&env, directory: "/ko-app")
        #expect(env == ["HOME=/root", "PATH=/ko-app"])
    }

    @Test func baseImageAnnotationsAreSet() throws {
        let (manifest, config) = try base(docker: true)
        var mutation = ImageMutation(baseManifest: manifest, baseConfig: config)
        let digest = Digest(hex: String(repeating: "d", count: 64))
        mutation.setBaseImageAnnotations(name: "cgr.dev/chainguard/static:latest", digest: digest)
        let image = try mutation.build()
        let annotations = image.manifest.annotations ?? [:]
        #expect(annotations["org.opencontainers.image.base.name"] == "cgr.dev/chainguard/static:latest")
        #expect(image.manifest.annotations?["org.opencontainers.image.base.digest"] == digest.description)
        let text = String(decoding: image.manifestBytes, as: UTF8.self)
        #expect(text.hasPrefix(#"{"annotations":{"keep":"me","org.opencontainers.image.base.digest":"sha256:dd"#))
    }

    @Test func sameInputsGiveTheSameImageDigest() throws {
        let work = try TemporaryDirectory()
        let (kodata, app) = try layers(work)
        var digests: Set<Digest> = []
        for _ in 0..<2 {
            let (manifest, config) = try base(docker: false)
            var mutation = ImageMutation(baseManifest: manifest, baseConfig: config)
            try mutation.appendKoLayers(kodata: kodata, binary: app, reference: "ko://m/app", appPath: "/ko-app/app")
            mutation.applyKoConventions(appPath: "/ko-app/app")
            digests.insert(try mutation.build().digest)
        }
        #expect(digests.count == 1)
    }

    @Test func indexKeepsBaseEntryPlatformsAndTypes() throws {
        let (manifest, config) = try base(docker: false)
        let image = try ImageMutation(baseManifest: manifest, baseConfig: config).build()
        let arm = Platform(os: "linux", architecture: "arm64", variant: "v8")
        let baseIndex = ImageIndex(mediaType: MediaType.dockerManifestList, manifests: [], annotations: ["a": "b"])
        var mutation = IndexMutation(baseIndex: baseIndex)
        mutation.append(image, baseEntry: Descriptor(mediaType: MediaType.dockerManifest,
                                                      digest: Digest(hex: String(repeating: "e", count: 64)),
                                                      size: 1, platform: arm))
        let (bytes, descriptor) = try mutation.build()
        let index = try ImageIndex(parsing: bytes)
        #expect(descriptor.mediaType == MediaType.dockerManifestList)
        #expect(descriptor.digest == Digest.sha256(of: bytes))
        #expect(index.annotations == ["a": "b"])
        #expect(index.manifests.first?.platform == arm)
        #expect(index.manifests.first?.digest == image.digest)
        #expect(index.manifests.first?.mediaType == MediaType.dockerManifest)
    }
}

extension Descriptor {
    func withType(_ mediaType: String) -> Descriptor {
        var copy = self
        copy.mediaType = mediaType
        return copy
    }
}
