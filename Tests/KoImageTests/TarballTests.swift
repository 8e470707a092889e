import Foundation
import KoJSON
import TestSupport
import Testing
@testable import KoImage

/// `docker save` tarballs and OCI archives, read back by skopeo.
struct TarballTests {
    /// A base image in an OCI layout (the blob source for base layers) and
    /// ko-style images built on it for two platforms.
    final class Fixture {
        let work: TemporaryDirectory
        let base: OCILayout
        let amd64: BuiltImage
        let arm64: BuiltImage
        let index: (bytes: [UInt8], descriptor: Descriptor)

        init(docker: Bool = false) throws {
            work = try TemporaryDirectory("ko-tarball")
            base = try OCILayout(creatingAt: work.path + "/base")
            let release = try work.write("base-src/os-release", "ID=kobase\n")
            let baseLayer = try Layer.build(in: work.path + "/base-layers") { tar in
                try tar.addDirectory("etc", mode: 0o755)
                try tar.addFile("etc/os-release", contentsOf: release, mode: 0o644)
            }
            try base.copyBlob(from: baseLayer.path, descriptor: baseLayer.descriptor)
            amd64 = try Self.image(on: baseLayer, in: base, work: work, architecture: "amd64", docker: docker)
            arm64 = try Self.image(on: baseLayer, in: base, work: work, architecture: "arm64", docker: docker)
            let indexType = docker ? MediaType.dockerManifestList : MediaType.ociIndex
            var mutation = IndexMutation(baseIndex: ImageIndex(mediaType: indexType))
            for (image, architecture) in [(amd64, "amd64"), (arm64, "arm64")] {
                let platform = Platform(os: "linux", architecture: architecture)
                mutation.append(image, baseEntry: Descriptor(mediaType: image.manifestDescriptor.mediaType,
                                                             digest: image.digest, size: 0, platform: platform))
            }
            index = try mutation.build()
        }

        private static func image(on baseLayer: Layer, in layout: OCILayout, work: TemporaryDirectory,
                                  architecture: String, docker: Bool) throws -> BuiltImage {
            var config = ImageConfig(platform: Platform(os: "linux", architecture: architecture))
            config.setDiffIDs([baseLayer.diffID])
            let configBytes = config.canonicalBytes
            try layout.writeBlob(configBytes)
            let configType = docker ? MediaType.dockerConfig : MediaType.ociConfig
            let manifest = Manifest(mediaType: docker ? MediaType.dockerManifest : MediaType.ociManifest,
                                    config: Descriptor(mediaType: configType, digest: config.digest,
                                                       size: Int64(configBytes.count)),
                                    layers: [baseLayer.withMediaType(docker ? MediaType.dockerLayerGzip
                                                                            : MediaType.ociLayerGzip).descriptor])
            let binary = try work.write("bin-\(architecture)/app", "#!/bin/sh\necho \(architecture)\n")
            let app = try BinaryLayer.build(binary: binary, name: "app", in: work.path + "/layers-\(architecture)")
            var mutation = ImageMutation(baseManifest: manifest, baseConfig: config)
            try mutation.append(app, history: HistoryEntry(created: ImageTime.rfc3339(epochSeconds: 0),
                                                           createdBy: "ko build ko://example.com/cmd/app"))
            return try mutation.build()
        }
    }

    // MARK: - docker save

    @Test func dockerTarballHasTheDockerSaveLayout() throws {
        let fixture = try Fixture()
        let path = fixture.work.path + "/app.tar"
        try DockerTarball.write(image: fixture.amd64, tags: ["127.0.0.1:5000/ko/app:v1", "127.0.0.1:5000/ko/app"],
                                baseBlobs: fixture.base, to: path)

        let names = try requireTool("tar", ["-tf", path]).text.split(separator: "\n").map(String.init)
        let layers = fixture.amd64.manifest.layers.map { $0.digest.hex + ".tar.gz" }
        #expect(names == [fixture.amd64.configDescriptor.digest.description] + layers + ["manifest.json"])

        let manifest = try requireTool("tar", ["-xOf", path, "manifest.json"]).stdout
        let json = try JSONValue(parsing: Array(manifest))
        #expect(json.arrayValue?[0]["Config"]?.stringValue == fixture.amd64.configDescriptor.digest.description)
        #expect(json.arrayValue?[0]["RepoTags"]?.stringArray
                == ["127.0.0.1:5000/ko/app:v1", "127.0.0.1:5000/ko/app:latest"])
        #expect(json.arrayValue?[0]["Layers"]?.stringArray == layers)

        // Every entry's bytes are the blob its name says.
        for (name, descriptor) in zip(names.dropLast(), [fixture.amd64.configDescriptor]
                                                        + fixture.amd64.manifest.layers) {
            let bytes = try requireTool("tar", ["-xOf", path, name]).stdout
            #expect(sha256Hex(bytes) == descriptor.digest.hex)
        }
    }

    @Test func skopeoReadsTheDockerTarball() throws {
        let fixture = try Fixture()
        let path = fixture.work.path + "/app.tar"
        try DockerTarball.write(image: fixture.amd64, tags: ["127.0.0.1:5000/ko/app:v1"], baseBlobs: fixture.base,
                                to: path)
        let inspect = try JSONValue(parsing: Array(requireTool("skopeo", ["inspect",
                                                                          "docker-archive:\(path)"]).stdout))
        #expect(inspect["Architecture"]?.stringValue == "amd64")
        // A docker-archive source lists layers by their uncompressed digests.
        #expect(inspect["Layers"]?.stringArray == (try fixture.amd64.config.diffIDs()).map(\.description))

        let raw = try JSONValue(parsing: Array(requireTool("skopeo", ["inspect", "--raw",
                                                                      "docker-archive:\(path)"]).stdout))
        #expect(raw["config"]?["digest"]?.stringValue == fixture.amd64.configDescriptor.digest.description)

        let copy = fixture.work.path + "/copied"
        try requireTool("skopeo", ["copy", "docker-archive:\(path)", "oci:\(copy):app"])
        try requireTool("umoci", ["unpack", "--image", "\(copy):app", fixture.work.path + "/bundle"])
        let app = try String(contentsOfFile: fixture.work.path + "/bundle/rootfs/ko-app/app", encoding: .utf8)
        #expect(app == "#!/bin/sh\necho amd64\n")
    }

    /// `docker load` through the Docker Engine API, served by podman.
    @Test func engineAPILoadsTheDockerTarball() throws {
        let fixture = try Fixture()
        let path = fixture.work.path + "/app.tar"
        try DockerTarball.write(image: fixture.amd64, tags: ["127.0.0.1:5000/ko/app:v1"], baseBlobs: fixture.base,
                                to: path)
        let state = fixture.work.path + "/podman"
        let socket = state + "/engine.sock"
        try fixture.work.makeDirectory("podman")
        let engine = try ProcessFixture(
            name: "podman system service", executable: "podman",
            arguments: ["--root", state + "/root", "--runroot", state + "/run", "--storage-driver=vfs",
                        "system", "service", "--time=0", "unix://" + socket],
            logPath: state + "/log")
        defer { engine.stop() }
        try waitForSocket(socket, engine: engine)

        let load = try requireTool("curl", ["-sS", "--fail", "--unix-socket", socket, "-X", "POST",
                                            "-H", "Content-Type: application/x-tar", "--data-binary", "@" + path,
                                            "http://engine/v1.41/images/load"])
        #expect(load.text.contains("127.0.0.1:5000/ko/app:v1"))
        let list = try requireTool("curl", ["-sS", "--fail", "--unix-socket", socket,
                                            "http://engine/v1.41/images/json"])
        let images = try #require(try JSONValue(parsing: Array(list.stdout)).arrayValue)
        #expect(images.count == 1)
        #expect(images.first?["Id"]?.stringValue == fixture.amd64.configDescriptor.digest.description)
        #expect(images.first?["RepoTags"]?.stringArray == ["127.0.0.1:5000/ko/app:v1"])
    }

    private func waitForSocket(_ socket: String, engine: ProcessFixture) throws {
        for _ in 0..<600 where !FileManager.default.fileExists(atPath: socket) {
            guard engine.isRunning else { throw FixtureError("podman exited: \(engine.logTail())") }
            usleep(50_000)
        }
        guard FileManager.default.fileExists(atPath: socket) else {
            throw FixtureError("podman made no socket in 30s: \(engine.logTail())")
        }
    }

    @Test func severalImagesShareLayersAndSortByTag() throws {
        let fixture = try Fixture()
        let path = fixture.work.path + "/all.tar"
        try DockerTarball.write([
            .init(image: fixture.arm64, tags: ["r.example/z:1"], baseBlobs: fixture.base),
            .init(image: fixture.amd64, tags: [], baseBlobs: fixture.base),
            .init(image: fixture.arm64, tags: ["r.example/a:1", "r.example/z:1", "r.example/x@sha256:00"],
                  baseBlobs: nil),
        ], to: path)
        let names = try requireTool("tar", ["-tf", path]).text.split(separator: "\n").map(String.init)
        let shared = fixture.amd64.manifest.layers[0].digest.hex + ".tar.gz"
        #expect(names.filter { $0 == shared }.count == 1)
        #expect(names.count == 2 + 3 + 1)

        let json = try JSONValue(parsing: Array(requireTool("tar", ["-xOf", path, "manifest.json"]).stdout))
        #expect(json.arrayValue?.count == 2)
        #expect(json.arrayValue?[0]["RepoTags"] == .null)
        #expect(json.arrayValue?[1]["RepoTags"]?.stringArray == ["r.example/z:1", "r.example/a:1"])
        #expect(json.arrayValue?[1]["Config"]?.stringValue == fixture.arm64.configDescriptor.digest.description)
    }

    // MARK: - OCI archive

    @Test func skopeoReadsTheOCIArchiveOfAnIndex() throws {
        let fixture = try Fixture()
        let path = fixture.work.path + "/multi.tar"
        try OCIArchive.write(indexBytes: fixture.index.bytes, indexDescriptor: fixture.index.descriptor,
                             images: [fixture.amd64, fixture.arm64], tags: ["127.0.0.1:5000/ko/app:v2"],
                             baseBlobs: fixture.base, to: path)

        let raw = try requireTool("skopeo", ["inspect", "--raw", "oci-archive:\(path)"]).stdout
        #expect(Array(raw) == fixture.index.bytes)
        let byTag = try requireTool("skopeo", ["inspect", "--raw", "oci-archive:\(path):v2"]).stdout
        #expect(Array(byTag) == fixture.index.bytes)

        let copy = fixture.work.path + "/copied"
        try requireTool("skopeo", ["copy", "--all", "oci-archive:\(path)", "oci:\(copy):app"])
        let copied = try OCILayout(openingAt: copy)
        for image in [fixture.amd64, fixture.arm64] {
            #expect(copied.hasBlob(image.digest))
            #expect(copied.hasBlob(image.configDescriptor.digest))
            for layer in image.manifest.layers { #expect(copied.hasBlob(layer.digest)) }
        }
        let single = fixture.work.path + "/single"
        try requireTool("skopeo", ["copy", "--override-arch", "arm64", "oci-archive:\(path)", "oci:\(single):app"])
        guard case let .image(_, descriptor) = try OCILayout(openingAt: single).entry(named: "app") else {
            Issue.record("skopeo copied no image")
            return
        }
        #expect(descriptor.digest == fixture.arm64.digest)
    }

    /// skopeo 1.9 finds Docker-typed entries of an OCI layout only when no
    /// name is asked for, so an archive with one entry must read that way.
    @Test func skopeoReadsTheOCIArchiveOfADockerManifestList() throws {
        let fixture = try Fixture(docker: true)
        #expect(fixture.amd64.manifestDescriptor.mediaType == MediaType.dockerManifest)
        let path = fixture.work.path + "/docker-list.tar"
        try OCIArchive.write(indexBytes: fixture.index.bytes, indexDescriptor: fixture.index.descriptor,
                             images: [fixture.amd64, fixture.arm64], tags: ["r.example/app:v1"],
                             baseBlobs: fixture.base, to: path)
        let raw = try requireTool("skopeo", ["inspect", "--raw", "oci-archive:\(path)"]).stdout
        #expect(Array(raw) == fixture.index.bytes)
        let copy = fixture.work.path + "/copied"
        // Writing to oci: converts Docker manifests to OCI ones; the layers stay as they are.
        try requireTool("skopeo", ["copy", "--all", "oci-archive:\(path)", "oci:\(copy)"])
        let copied = try OCILayout(openingAt: copy)
        for layer in fixture.amd64.manifest.layers + fixture.arm64.manifest.layers {
            #expect(copied.hasBlob(layer.digest))
        }
    }

    @Test func ociArchiveIndexNamesEachTag() throws {
        let fixture = try Fixture()
        let path = fixture.work.path + "/one.tar"
        try OCIArchive.write([
            .init(content: .image(fixture.amd64), tags: ["r.example/app:v1", "r.example/app:latest"],
                  baseBlobs: fixture.base),
        ], to: path)
        let index = try ImageIndex(parsing: Array(requireTool("tar", ["-xOf", path, "index.json"]).stdout))
        #expect(index.manifests.map(\.digest) == [fixture.amd64.digest, fixture.amd64.digest])
        #expect(index.manifests.map { $0.annotations?[OCILayout.refNameAnnotation] } == ["v1", "latest"])
        #expect(index.manifests.map { $0.annotations?[OCIArchive.imageNameAnnotation] }
                == ["r.example/app:v1", "r.example/app:latest"])
        let inspect = try JSONValue(parsing: Array(requireTool("skopeo", ["inspect",
                                                                          "oci-archive:\(path):latest"]).stdout))
        #expect(inspect["Digest"]?.stringValue == fixture.amd64.digest.description)
    }

    // MARK: - Failures leave nothing behind

    @Test func missingBaseSourceFailsWithoutAFile() throws {
        let fixture = try Fixture()
        let path = fixture.work.path + "/out/app.tar"
        try fixture.work.makeDirectory("out")
        #expect {
            try DockerTarball.write(image: fixture.amd64, tags: [], baseBlobs: nil, to: path)
        } throws: { error in
            "\(error)".contains("no source for base layers")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.work.path + "/out") == [])
    }

    @Test func corruptBaseBlobLeavesTheOldFileAlone() throws {
        let fixture = try Fixture()
        let path = try fixture.work.write("out/app.tar", "previous tarball")
        for source in [CorruptSource(mode: .flipByte), CorruptSource(mode: .truncate), CorruptSource(mode: .extend)] {
            #expect {
                try OCIArchive.write([.init(content: .image(fixture.amd64), tags: [], baseBlobs: source)], to: path)
            } throws: { error in
                guard case let .blobMismatch(digest, _, _, _, archive)? = error as? TarballError else { return false }
                return digest == fixture.amd64.baseLayers[0].digest && archive == path
            }
            #expect(try String(contentsOfFile: path, encoding: .utf8) == "previous tarball")
            #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.work.path + "/out") == ["app.tar"])
        }
    }

    /// A blob source that hands back damaged bytes.
    struct CorruptSource: BlobSource {
        enum Mode { case flipByte, truncate, extend }
        let mode: Mode
        let bytes: [UInt8] = Array(repeating: 7, count: 4096)

        func streamBlob(_ descriptor: Descriptor, to sink: (UnsafeRawBufferPointer) throws -> Void) throws {
            var data = Array(bytes.prefix(Int(descriptor.size)))
            data += Array(repeating: 1, count: max(0, Int(descriptor.size) - data.count))
            switch mode {
            case .flipByte: data[0] ^= 0xFF
            case .truncate: data.removeLast()
            case .extend: data.append(0)
            }
            try data.withUnsafeBytes { try sink($0) }
        }
    }
}
