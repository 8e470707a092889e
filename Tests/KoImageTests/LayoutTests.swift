import Foundation
import KoJSON
import TestSupport
import Testing
@testable import KoImage

/// OCI layouts written by us, read back by us, skopeo and umoci.
struct LayoutTests {
    /// Writes a small base image (one layer with /etc/os-release) named `base`.
    private func writeBase(into layout: OCILayout, work: TemporaryDirectory) throws -> Descriptor {
        let release = try work.write("base-src/os-release", "ID=kobase\n")
        let layer = try Layer.build(in: work.path + "/base-layers") { tar in
            try tar.addDirectory("etc", mode: 0o755)
            try tar.addFile("etc/os-release", contentsOf: release, mode: 0o644)
        }
        var config = ImageConfig(platform: Platform(os: "linux", architecture: "amd64"))
        config.env = ["PATH=/usr/local/bin:/usr/bin:/bin"]
        config.cmd = ["/bin/true"]
        config.json["x-base-extension"] = .object(["kept": .bool(true)])
        config.setDiffIDs([layer.diffID])
        config.appendHistory(HistoryEntry(created: ImageTime.rfc3339(epochSeconds: 0), createdBy: "base"))
        let configBytes = config.canonicalBytes
        let manifest = Manifest(config: Descriptor(mediaType: MediaType.ociConfig, digest: config.digest,
                                                   size: Int64(configBytes.count)),
                                layers: [layer.descriptor])
        let manifestBytes = try manifest.canonicalBytes()
        let descriptor = Descriptor(mediaType: MediaType.ociManifest, digest: Digest.sha256(of: manifestBytes),
                                    size: Int64(manifestBytes.count))
        try layout.writeBlob(configBytes)
        try layout.copyBlob(from: layer.path, descriptor: layer.descriptor)
        try layout.writeBlob(manifestBytes)
        return try layout.appendToIndex(descriptor, refName: "base")
    }

    /// Reads `base` back from the layout and builds the ko image on it.
    private func buildApp(on layout: OCILayout, work: TemporaryDirectory) throws -> BuiltImage {
        guard case let .image(manifest, baseDescriptor) = try layout.entry(named: "base") else {
            throw FixtureError("base is not an image")
        }
        let binary = try work.write("out/app", "#!/bin/sh\necho hello from ko\n")
        try work.write("cmd/app/kodata/greeting.txt", "hello kodata\n")
        let kodata = try KodataLayer.build(packageDirectory: work.path + "/cmd/app", moduleRoot: work.path,
                                           in: work.path + "/layers")
        let app = try BinaryLayer.build(binary: binary, name: "app", in: work.path + "/layers")
        var mutation = ImageMutation(baseManifest: manifest, baseConfig: try layout.readConfig(of: manifest))
        mutation.setBaseImageAnnotations(name: "oci:base", digest: baseDescriptor.digest)
        try mutation.appendKoLayers(kodata: kodata, binary: app, reference: "ko://example.com/cmd/app",
                                    appPath: "/ko-app/app")
        mutation.applyKoConventions(appPath: "/ko-app/app")
        return try mutation.build()
    }

    @Test func skopeoAndUmociReadTheImageWeWrite() throws {
        let work = try TemporaryDirectory()
        let layout = try OCILayout(creatingAt: work.path + "/layout")
        _ = try writeBase(into: layout, work: work)
        let image = try buildApp(on: layout, work: work)
        try layout.appendImage(image, baseBlobs: layout, refName: "app")

        let inspect = try requireTool("skopeo", ["inspect", "oci:\(layout.path):app"])
        let json = try JSONValue(parsing: Array(inspect.stdout))
        #expect(json["Digest"]?.stringValue == image.digest.description)
        #expect(json["Layers"]?.arrayValue?.count == 3)
        #expect(json["Env"]?.stringArray?.contains("KO_DATA_PATH=/var/run/ko") == true)

        let bundle = work.path + "/bundle"
        try requireTool("umoci", ["unpack", "--image", "\(layout.path):app", bundle])
        let rootfs = bundle + "/rootfs"
        let binary = try FileManager.default.attributesOfItem(atPath: rootfs + "/ko-app/app")
        #expect((binary[.posixPermissions] as? NSNumber)?.intValue == 0o555)
        #expect(try String(contentsOfFile: rootfs + "/var/run/ko/greeting.txt", encoding: .utf8) == "hello kodata\n")
        #expect(try String(contentsOfFile: rootfs + "/etc/os-release", encoding: .utf8) == "ID=kobase\n")
        let runtimeBytes = try Data(contentsOf: URL(fileURLWithPath: bundle + "/config.json"))
        let runtime = try JSONValue(parsing: Array(runtimeBytes))
        #expect(runtime["process"]?["args"]?.stringArray == ["/ko-app/app"])
    }

    @Test func indexJSONAppendsAndMovesNames() throws {
        let work = try TemporaryDirectory()
        let layout = try OCILayout(creatingAt: work.path + "/layout")
        let base = try writeBase(into: layout, work: work)
        let image = try buildApp(on: layout, work: work)
        try layout.appendImage(image, baseBlobs: layout, refName: "app")
        try layout.appendImage(image, baseBlobs: nil, refName: "app")  // same image again: one entry
        try layout.appendToIndex(base, refName: "app")  // the name moves to the base

        let index = try layout.readIndex()
        #expect(index.manifests.count == 3)
        #expect(index.manifests.filter { $0.annotations?[OCILayout.refNameAnnotation] == "app" }.count == 1)
        #expect(try layout.entry(named: "app").descriptor.digest == base.digest)
        #expect(throws: LayoutError.self) { try layout.entry(named: "missing") }
        #expect(throws: LayoutError.self) { try layout.entry() }

        // Reopening sees the same content; oci-layout is valid JSON.
        let reopened = try OCILayout(openingAt: layout.path)
        #expect(try reopened.readIndex() == index)
    }

    @Test func multiPlatformIndexIsReadableBySkopeo() throws {
        let work = try TemporaryDirectory()
        let layout = try OCILayout(creatingAt: work.path + "/layout")
        _ = try writeBase(into: layout, work: work)
        let image = try buildApp(on: layout, work: work)
        var mutation = IndexMutation(baseIndex: ImageIndex())
        mutation.append(image, baseEntry: Descriptor(mediaType: MediaType.ociManifest, digest: image.digest, size: 0,
                                                      platform: Platform(os: "linux", architecture: "amd64")))
        let (bytes, descriptor) = try mutation.build()
        try layout.appendIndex(bytes: bytes, descriptor: descriptor, images: [image], baseBlobs: layout,
                               refName: "multi")
        let raw = try requireTool("skopeo", ["inspect", "--raw", "oci:\(layout.path):multi"])
        #expect(Array(raw.stdout) == bytes)
        let resolved = try requireTool("skopeo", ["inspect", "--override-os", "linux", "--override-arch", "amd64",
                                                  "oci:\(layout.path):multi"])
        #expect(try JSONValue(parsing: Array(resolved.stdout))["Layers"]?.arrayValue?.count == 3)
        guard case let .index(readBack, _) = try layout.entry(named: "multi") else {
            Issue.record("multi is not an index")
            return
        }
        #expect(readBack.manifests.first?.digest == image.digest)
    }

    @Test func blobsThatDoNotMatchTheirDescriptorAreRefused() throws {
        let work = try TemporaryDirectory()
        let layout = try OCILayout(creatingAt: work.path + "/layout")
        let file = try work.write("blob", "actual content")
        let wrong = Descriptor(mediaType: MediaType.ociLayerGzip,
                               digest: Digest(hex: String(repeating: "0", count: 64)), size: 14)
        #expect(throws: LayoutError.self) { try layout.copyBlob(from: file, descriptor: wrong) }
        var wrongSize = wrong
        wrongSize.digest = Digest.sha256(of: Array("actual content".utf8))
        wrongSize.size = 3
        #expect(throws: LayoutError.self) { try layout.copyBlob(from: file, descriptor: wrongSize) }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: layout.path + "/blobs/sha256")
        #expect(leftovers.isEmpty, "refused blobs left \(leftovers)")

        // A blob changed on disk after it was written is caught when read.
        let digest = try layout.writeBlob(Array("{}".utf8))
        try Data("{ }".utf8).write(to: URL(fileURLWithPath: layout.blobPath(digest)))
        #expect(throws: LayoutError.self) {
            try layout.readBlob(Descriptor(mediaType: MediaType.ociConfig, digest: digest, size: 2))
        }
    }

    @Test func openingSomethingElseFailsClearly() throws {
        let work = try TemporaryDirectory()
        do {
            _ = try OCILayout(openingAt: work.path)
            Issue.record("an empty directory opened as a layout")
        } catch let error as LayoutError {
            #expect(error.description.contains("not an OCI image layout"))
        }
    }
}
