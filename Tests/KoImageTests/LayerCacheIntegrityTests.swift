import Foundation
import KoCrypto
import KoLog
import TestSupport
import Testing
@testable import KoImage

/// What the layer cache may trust without reading a file, and how a cached
/// blob damaged on disk is caught at upload and mended.
struct LayerCacheIntegrityTests {
    typealias Fixture = LayerCacheTests.Fixture

    // MARK: - Build IDs

    static let generatedID = "Kq3lmJ0vOBN4Y1eM9Xx2/aB-_0123456789abcdEF/ZZZZZZZZZZZZZZZZZZZZ/qwertyuiopasdfghjklz"

    @Test(arguments: [
        (generatedID, true),
        ("fixed", false),
        ("", false),
        // Three or five parts: a package archive's ID, or something else.
        ("Kq3lmJ0vOBN4Y1eM9Xx2/aB-_0123456789abcdEF/ZZZZZZZZZZZZZZZZZZZZ", false),
        (generatedID + "/qwertyuiopasdfghjklz", false),
        // A part one character short or long, or outside base64url.
        ("Kq3lmJ0vOBN4Y1eM9Xx/aB-_0123456789abcdEF/ZZZZZZZZZZZZZZZZZZZZ/qwertyuiopasdfghjklz", false),
        ("Kq3lmJ0vOBN4Y1eM9Xx22/aB-_0123456789abcdEF/ZZZZZZZZZZZZZZZZZZZZ/qwertyuiopasdfghjklz", false),
        ("Kq3lmJ0vOBN4Y1eM9Xx+/aB-_0123456789abcdEF/ZZZZZZZZZZZZZZZZZZZZ/qwertyuiopasdfghjklz", false),
        ("Kq3lmJ0vOBN4Y1eM9Xx=/aB-_0123456789abcdEF/ZZZZZZZZZZZZZZZZZZZZ/qwertyuiopasdfghjklz", false),
        ("Kq3lmJ0vOBN4Y1eM9Xx2//ZZZZZZZZZZZZZZZZZZZZ/qwertyuiopasdfghjklz", false),
        ("/Kq3lmJ0vOBN4Y1eM9Xx2/aB-_0123456789abcdEF/ZZZZZZZZZZZZZZZZZZZZ/qwertyuiopasdfghjklz", false),
        ("Kq3lmJ0vOBN4Y1eM9Xx2/aB-_0123456789abcdEF/ZZZZZZZZZZZZZZZZZZZZ/qwertyuiopasdfghjklz/", false),
        ("Kq3lmJ0vOBN4Y1eM9Xé/aB-_0123456789abcdEF/ZZZZZZZZZZZZZZZZZZZZ/qwertyuiopasdfghjklz", false),
    ])
    func onlyTheShapeGoGeneratesVouchesForContent(buildID: String, trusted: Bool) {
        #expect(LayerCache.FileFingerprint.isGeneratedGoBuildID(buildID) == trusted)
    }

    @Test func goGeneratesBuildIDsOfThatShape() throws {
        let module = try TemporaryDirectory("ko-buildid")
        try module.write("go.mod", "module example.org/idshape\n\ngo 1.19\n")
        try module.write("main.go", "package main\n\nfunc main() {}\n")
        let binary = module.path + "/idshape"
        func build(_ flags: [String]) throws -> String {
            let built = try ProcessRunner.run("go", ["build"] + flags + ["-o", binary, "."], directory: module.path)
            try #require(built.status == 0, "go build failed: \(built.errorOutput)")
            return try ProcessRunner.check("go", ["tool", "buildid", binary]).output
                .trimmingCharacters(in: .whitespacesAndNewlines)
        }

        let generated = try build([])
        #expect(LayerCache.FileFingerprint.isGeneratedGoBuildID(generated), "go build wrote \(generated)")
        #expect(LayerCache.FileFingerprint(path: binary)?.isGoBinary == true)

        #expect(try build(["-ldflags=-buildid=fixed"]) == "fixed")
        #expect(LayerCache.FileFingerprint(path: binary)?.isGoBinary == false)
    }

    /// An ELF-looking file of `size` bytes with a Go build ID note, as the
    /// linker lays it out, and content derived from `seed`; written under a
    /// temporary name and renamed over `path`, as `go build` does.
    static func writeGoBinary(at path: String, buildID: String, seed: UInt8, size: Int = 200_000) throws {
        var bytes = [UInt8](repeating: 0, count: size)
        bytes.replaceSubrange(0..<4, with: [0x7f, 0x45, 0x4c, 0x46])
        let id = Array(buildID.utf8)
        let note = Self.littleEndian(4) + Self.littleEndian(UInt32(id.count)) + Self.littleEndian(4)
            + [0x47, 0x6f, 0, 0] + id
        bytes.replaceSubrange(64..<(64 + note.count), with: note)
        for index in (64 + note.count + 8)..<size { bytes[index] = UInt8(truncatingIfNeeded: index &* 31) ^ seed }
        let temporary = path + ".tmp"
        try Data(bytes).write(to: URL(fileURLWithPath: temporary))
        #expect(rename(temporary, path) == 0)
    }

    static func littleEndian(_ value: UInt32) -> [UInt8] {
        (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }

    @Test(arguments: ["fixed", "", "v1.2.3/build-7"])
    func aBinaryWithItsOwnBuildIDIsKnownByItsFile(buildID: String) throws {
        let fixture = try Fixture()
        let binary = fixture.work.path + "/app"
        try Self.writeGoBinary(at: binary, buildID: buildID, seed: 1)
        let first = try fixture.cache.binaryLayer(binary: binary, name: "app", in: fixture.buildDirectory())

        // Relinked: same size, same ID, other bytes.
        try Self.writeGoBinary(at: binary, buildID: buildID, seed: 2)
        let second = try fixture.cache.binaryLayer(binary: binary, name: "app", in: fixture.buildDirectory())
        let uncached = try BinaryLayer.build(binary: binary, name: "app", in: fixture.buildDirectory())
        #expect(second.layer.digest == uncached.digest, "the layer holds the new binary")
        #expect(second.layer.digest != first.layer.digest)
        #expect(!second.hit)

        // The same file again is still known without reading it.
        let third = try fixture.cache.binaryLayer(binary: binary, name: "app", in: fixture.buildDirectory())
        #expect(third.hit)
        #expect(third.layer.digest == uncached.digest)
    }

    @Test func aGoGeneratedBuildIDIsTrustedWhereverTheFileIs() throws {
        let fixture = try Fixture()
        let binary = fixture.work.path + "/app"
        try Self.writeGoBinary(at: binary, buildID: Self.generatedID, seed: 3)
        let first = try fixture.cache.binaryLayer(binary: binary, name: "app", in: fixture.buildDirectory())
        #expect(!first.hit)

        // Go touches or rewrites an up-to-date output; the ID still names its content.
        try Self.writeGoBinary(at: binary, buildID: Self.generatedID, seed: 3)
        let second = try fixture.cache.binaryLayer(binary: binary, name: "app", in: fixture.buildDirectory())
        #expect(second.hit)
        #expect(second.layer.digest == first.layer.digest)
    }

    // MARK: - Damaged blobs

    /// Flips 64 bytes in the middle of `path` in place: same inode, same size.
    static func damage(_ path: String) throws {
        let handle = try #require(FileHandle(forUpdatingAtPath: path))
        defer { try? handle.close() }
        let size = try handle.seekToEnd()
        let offset = size / 2 - 32
        try handle.seek(toOffset: offset)
        let original = try #require(try handle.read(upToCount: 64))
        try handle.seek(toOffset: offset)
        try handle.write(contentsOf: Data(original.map { $0 ^ 0xFF }))
    }

    @Test func aBlobDamagedAfterAHitIsMendedFromTheBinary() throws {
        let fixture = try Fixture()
        let binary = try fixture.binary("app", seed: 11)
        let first = try fixture.cache.binaryLayer(binary: binary, name: "app", in: fixture.buildDirectory())
        let hit = try fixture.cache.binaryLayer(binary: binary, name: "app", in: fixture.buildDirectory())
        try #require(hit.hit)
        let blob = fixture.cache.blobPath(first.layer.digest)
        try Self.damage(blob)
        // The build's file is a hard link of the blob: damaged too.
        #expect(try LayerCache.sha256(ofFile: hit.layer.path) != hit.layer.digest)

        let mended = try fixture.cache.repairDamagedLayer(hit.layer)
        #expect(mended == hit.layer)
        try LayerCacheTests.expectIntact(mended)
        #expect(try LayerCache.sha256(ofFile: blob) == first.layer.digest)

        // Another image's copy damaged while the cache's blob is intact
        // (mended already, or a copy across file systems): the blob replaces it.
        let other = try fixture.cache.binaryLayer(binary: binary, name: "app", in: fixture.buildDirectory())
        try FileManager.default.removeItem(atPath: other.layer.path)
        try FileManager.default.copyItem(atPath: blob, toPath: other.layer.path)
        try Self.damage(other.layer.path)
        _ = try fixture.cache.repairDamagedLayer(other.layer)
        try LayerCacheTests.expectIntact(other.layer)
        #expect(try LayerCache.sha256(ofFile: blob) == first.layer.digest)
    }

    @Test func aDamagedKodataBlobIsMendedFromTheTree() throws {
        let fixture = try Fixture()
        let module = fixture.work.path + "/module"
        try fixture.work.write("module/go.mod", "module example.org/m\n")
        for index in 0..<20 {
            try fixture.work.write("module/cmd/app/kodata/file-\(index).txt",
                                   String(repeating: "data \(index) ", count: 50))
        }
        let package = module + "/cmd/app"
        let first = try fixture.cache.kodataLayer(packageDirectory: package, moduleRoot: module,
                                                  in: fixture.buildDirectory())
        let hit = try fixture.cache.kodataLayer(packageDirectory: package, moduleRoot: module,
                                                in: fixture.buildDirectory())
        try #require(hit.hit)
        try Self.damage(fixture.cache.blobPath(first.layer.digest))

        _ = try fixture.cache.repairDamagedLayer(hit.layer)
        try LayerCacheTests.expectIntact(hit.layer)
        #expect(try LayerCache.sha256(ofFile: fixture.cache.blobPath(first.layer.digest)) == first.layer.digest)
    }

    @Test func aDamagedBlobThisRunCannotRemakeIsRemovedWithAClearError() throws {
        let fixture = try Fixture()
        let binary = try fixture.binary("app", seed: 12)
        let built = try fixture.cache.binaryLayer(binary: binary, name: "app", in: fixture.buildDirectory())
        let blob = fixture.cache.blobPath(built.layer.digest)
        try Self.damage(blob)

        // Another process (a cache value of its own) knows no recipe for it.
        let other = LayerCache(directory: fixture.cache.directory)
        let error = #expect(throws: LayerCacheError.self) { try other.repairDamagedLayer(built.layer) }
        #expect(error?.description.contains(blob) == true)
        #expect(error?.description.contains("removed") == true)
        #expect(!FileManager.default.fileExists(atPath: blob))

        let next = try other.binaryLayer(binary: binary, name: "app", in: fixture.buildDirectory())
        #expect(!next.hit)
        try LayerCacheTests.expectIntact(next.layer)
        #expect(try LayerCache.sha256(ofFile: blob) == built.layer.digest)
    }

    // MARK: - Uploads

    @Test func aDamagedFileIsRefusedBeforeAnyByteIsSent() throws {
        let registry = try RegistryFixtures.open.get()
        let image = try RegistryTestImage(layerSize: 300_000)
        let file = image.path(of: image.layer)
        try Self.damage(file)
        let requests = MessageList()
        let logger = Logger(minimumLevel: .trace) { _, message in requests.append(message) }
        let client = registry.client(logger: logger)
        let repository = registry.repository()

        let error = #expect(throws: RegistryError.self) {
            try client.uploadBlob(file: file, descriptor: image.layer, to: repository)
        }
        guard case let .blobFileDamaged(path, expected, _)? = error else {
            Issue.record("expected blobFileDamaged, got \(String(describing: error))")
            return
        }
        #expect(path == file)
        #expect(expected == image.layer.digest)
        #expect(error?.description.contains(file) == true)
        for method in ["POST", "PATCH", "PUT"] {
            #expect(!requests.all.contains { $0.hasPrefix("HTTP → \(method) ") }, "a \(method) was sent")
        }
        #expect(!(try client.blobExists(image.layer.digest, in: repository)))
    }

    @Test func aBlobTheRegistryHasIsNotRead() throws {
        let registry = try RegistryFixtures.open.get()
        let image = try RegistryTestImage(layerSize: 1000)
        let client = registry.client()
        let repository = registry.repository()
        let file = image.path(of: image.layer)
        #expect(try client.uploadBlob(file: file, descriptor: image.layer, to: repository) == .uploaded)
        // Damaged afterwards: a push that finds the blob with HEAD never hashes the file.
        try Self.damage(file)
        #expect(try client.uploadBlob(file: file, descriptor: image.layer, to: repository) == .alreadyPresent)
    }
}
