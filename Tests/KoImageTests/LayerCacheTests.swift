import Dispatch
import Foundation
import KoLog
import TestSupport
import Testing
@testable import KoImage

/// The on-disk layer cache: hits, misses, damage and builds sharing it.
struct LayerCacheTests {
    final class Fixture {
        let work: TemporaryDirectory
        let cache: LayerCache
        private var builds = 0

        init(verifiesDigests: Bool = false) throws {
            work = try TemporaryDirectory("ko-cache")
            cache = LayerCache(directory: work.path + "/cache", verifiesDigests: verifiesDigests)
        }

        /// A fresh build directory, as each ko run has its own.
        func buildDirectory() -> String {
            builds += 1
            return work.path + "/build-\(builds)"
        }

        /// A binary-like file of `size` bytes derived from `seed`.
        @discardableResult
        func binary(_ name: String, seed: UInt8, size: Int = 300_000) throws -> String {
            var bytes = [UInt8](repeating: 0, count: size)
            var state = UInt32(seed) &+ 1
            for index in bytes.indices {
                state = state &* 1_103_515_245 &+ 12345
                bytes[index] = index % 3 == 0 ? UInt8(truncatingIfNeeded: state >> 16) : seed
            }
            return try work.write("bin/\(name)", bytes: bytes)
        }
    }

    static func inode(_ path: String) throws -> UInt64 {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return try #require(attributes[.systemFileNumber] as? UInt64)
    }

    static func size(_ path: String) throws -> Int64 {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return try #require((attributes[.size] as? NSNumber)?.int64Value)
    }

    /// Checks that `layer.path` holds bytes of the layer's size and digest.
    static func expectIntact(_ layer: Layer) throws {
        #expect(try size(layer.path) == layer.descriptor.size)
        #expect(try LayerCache.sha256(ofFile: layer.path) == layer.digest)
    }

    // MARK: - Hits and misses

    @Test func secondBuildOfTheSameBinaryIsAHitAndCompressesNothing() throws {
        let fixture = try Fixture()
        let binary = try fixture.binary("app", seed: 1)
        let uncached = try BinaryLayer.build(binary: binary, name: "app", in: fixture.buildDirectory())

        let first = try fixture.cache.binaryLayer(binary: binary, name: "app", in: fixture.buildDirectory())
        #expect(!first.hit)
        #expect(first.layer.descriptor == uncached.descriptor)
        #expect(first.layer.diffID == uncached.diffID)

        let secondDirectory = fixture.buildDirectory()
        let second = try fixture.cache.binaryLayer(binary: binary, name: "app", in: secondDirectory)
        #expect(second.hit)
        #expect(second.layer.descriptor == first.layer.descriptor)
        #expect(second.layer.diffID == first.layer.diffID)
        #expect(second.layer.uncompressedSize == first.layer.uncompressedSize)
        #expect(second.layer.path == secondDirectory + "/sha256-\(first.layer.digest.hex).tar.gz")
        // Nothing was compressed: the build's file is the cached blob itself.
        #expect(try Self.inode(second.layer.path) == Self.inode(fixture.cache.blobPath(first.layer.digest)))
        try Self.expectIntact(second.layer)
        #expect(fixture.cache.statistics == LayerCache.Statistics(hits: 1, misses: 1))
    }

    @Test func aChangedBinaryNameOrCompressionMisses() throws {
        let fixture = try Fixture()
        let binary = try fixture.binary("app", seed: 1)
        let original = try fixture.cache.binaryLayer(binary: binary, name: "app", in: fixture.buildDirectory())

        try fixture.binary("app", seed: 2)
        let changed = try fixture.cache.binaryLayer(binary: binary, name: "app", in: fixture.buildDirectory())
        #expect(!changed.hit)
        #expect(changed.layer.diffID != original.layer.diffID)
        try Self.expectIntact(changed.layer)

        let renamed = try fixture.cache.binaryLayer(binary: binary, name: "server", in: fixture.buildDirectory())
        #expect(!renamed.hit)
        #expect(renamed.layer.diffID != changed.layer.diffID)

        let slower = try fixture.cache.binaryLayer(binary: binary, name: "app", compression: .gzip(level: 6),
                                                   in: fixture.buildDirectory())
        #expect(!slower.hit)
        #expect(slower.layer.diffID == changed.layer.diffID)
        #expect(slower.layer.digest != changed.layer.digest)

        // Back to the first content: still cached beside the others.
        try fixture.binary("app", seed: 1)
        let again = try fixture.cache.binaryLayer(binary: binary, name: "app", in: fixture.buildDirectory())
        #expect(again.hit)
        #expect(again.layer.digest == original.layer.digest)
    }

    @Test func aHitTakesTheMediaTypeAskedFor() throws {
        let fixture = try Fixture()
        let binary = try fixture.binary("app", seed: 3)
        let oci = try fixture.cache.binaryLayer(binary: binary, name: "app", in: fixture.buildDirectory())
        let docker = try fixture.cache.binaryLayer(binary: binary, name: "app", mediaType: MediaType.dockerLayerGzip,
                                                   in: fixture.buildDirectory())
        #expect(docker.hit)
        #expect(docker.layer.descriptor.mediaType == MediaType.dockerLayerGzip)
        #expect(docker.layer.digest == oci.layer.digest)
    }

    @Test func parallelCompressionIsCachedApartFromZlib() throws {
        let fixture = try Fixture()
        let binary = try fixture.binary("app", seed: 4, size: 900_000)
        let parallel = LayerCompression.parallelGzip(level: 1, blockSize: 256 << 10, threads: 2)
        let zlib = try fixture.cache.binaryLayer(binary: binary, name: "app", in: fixture.buildDirectory())
        let first = try fixture.cache.binaryLayer(binary: binary, name: "app", compression: parallel,
                                                  in: fixture.buildDirectory())
        #expect(!first.hit)
        #expect(first.layer.digest != zlib.layer.digest)
        // The thread count does not change the bytes, so it does not change the key.
        let moreThreads = LayerCompression.parallelGzip(level: 1, blockSize: 256 << 10, threads: 3)
        let second = try fixture.cache.binaryLayer(binary: binary, name: "app", compression: moreThreads,
                                                   in: fixture.buildDirectory())
        #expect(second.hit)
        #expect(second.layer.digest == first.layer.digest)
    }

    // MARK: - kodata

    @Test func kodataIsKeyedByItsContents() throws {
        let fixture = try Fixture()
        let module = fixture.work.path + "/module"
        try fixture.work.write("module/go.mod", "module example.com/app\n")
        let page = try fixture.work.write("module/cmd/app/kodata/index.html", "<p>one</p>")
        try fixture.work.write("module/cmd/app/kodata/css/site.css", "p{}")
        let package = module + "/cmd/app"
        let uncached = try KodataLayer.build(packageDirectory: package, moduleRoot: module,
                                             in: fixture.buildDirectory())

        let first = try fixture.cache.kodataLayer(packageDirectory: package, moduleRoot: module,
                                                  in: fixture.buildDirectory())
        #expect(!first.hit)
        #expect(first.layer.digest == uncached.digest)
        let second = try fixture.cache.kodataLayer(packageDirectory: package, moduleRoot: module,
                                                   in: fixture.buildDirectory())
        #expect(second.hit)
        #expect(second.layer.digest == uncached.digest)

        // Same size, same mtime, other bytes: still a miss.
        let modified = try FileManager.default.attributesOfItem(atPath: page)[.modificationDate]
        try fixture.work.write("module/cmd/app/kodata/index.html", "<p>two</p>")
        try FileManager.default.setAttributes([.modificationDate: modified as Any], ofItemAtPath: page)
        let edited = try fixture.cache.kodataLayer(packageDirectory: package, moduleRoot: module,
                                                   in: fixture.buildDirectory())
        #expect(!edited.hit)
        #expect(edited.layer.diffID != first.layer.diffID)

        let dated = try fixture.cache.kodataLayer(packageDirectory: package, moduleRoot: module, dataDate: 86400,
                                                  in: fixture.buildDirectory())
        #expect(!dated.hit)
        #expect(dated.layer.diffID != edited.layer.diffID)
    }

    @Test func aCachedKodataLayerStillRefusesAnEscapingSymlink() throws {
        let fixture = try Fixture()
        let module = fixture.work.path + "/module"
        try fixture.work.write("module/cmd/app/kodata/a.txt", "a")
        let package = module + "/cmd/app"
        _ = try fixture.cache.kodataLayer(packageDirectory: package, moduleRoot: module, in: fixture.buildDirectory())
        try fixture.work.write("outside/secret.txt", "s")
        try fixture.work.symlink("module/cmd/app/kodata/b.txt", to: fixture.work.path + "/outside/secret.txt")
        #expect(throws: LayerError.self) {
            _ = try fixture.cache.kodataLayer(packageDirectory: package, moduleRoot: module,
                                              in: fixture.buildDirectory())
        }
    }

    // MARK: - Damage

    @Test func aTruncatedBlobIsDetectedAndRebuilt() throws {
        let fixture = try Fixture()
        let binary = try fixture.binary("app", seed: 5)
        let first = try fixture.cache.binaryLayer(binary: binary, name: "app", in: fixture.buildDirectory())
        let blob = fixture.cache.blobPath(first.layer.digest)
        #expect(truncate(blob, off_t(first.layer.descriptor.size / 2)) == 0)

        let rebuilt = try fixture.cache.binaryLayer(binary: binary, name: "app", in: fixture.buildDirectory())
        #expect(!rebuilt.hit)
        #expect(rebuilt.layer.digest == first.layer.digest)
        try Self.expectIntact(rebuilt.layer)
        #expect(try Self.size(blob) == first.layer.descriptor.size)

        let after = try fixture.cache.binaryLayer(binary: binary, name: "app", in: fixture.buildDirectory())
        #expect(after.hit)
        try Self.expectIntact(after.layer)
    }

    @Test func aDamagedOrMissingEntryIsRebuilt() throws {
        let fixture = try Fixture()
        let binary = try fixture.binary("app", seed: 6)
        let first = try fixture.cache.binaryLayer(binary: binary, name: "app", in: fixture.buildDirectory())
        let key = LayerCacheKey(diffID: first.layer.diffID, compression: .default)
        let entry = fixture.cache.entryPath(key)
        let whole = try Data(contentsOf: URL(fileURLWithPath: entry))
        try whole.prefix(whole.count / 2).write(to: URL(fileURLWithPath: entry))

        let rebuilt = try fixture.cache.binaryLayer(binary: binary, name: "app", in: fixture.buildDirectory())
        #expect(!rebuilt.hit)
        #expect(try Data(contentsOf: URL(fileURLWithPath: entry)) == whole)

        try FileManager.default.removeItem(atPath: fixture.cache.blobPath(first.layer.digest))
        let blobless = try fixture.cache.binaryLayer(binary: binary, name: "app", in: fixture.buildDirectory())
        #expect(!blobless.hit)
        try Self.expectIntact(blobless.layer)
        #expect(try fixture.cache.binaryLayer(binary: binary, name: "app", in: fixture.buildDirectory()).hit)
    }

    @Test func digestVerificationCatchesASameSizeCorruption() throws {
        let fixture = try Fixture(verifiesDigests: true)
        let binary = try fixture.binary("app", seed: 7)
        let first = try fixture.cache.binaryLayer(binary: binary, name: "app", in: fixture.buildDirectory())
        let blob = fixture.cache.blobPath(first.layer.digest)
        // Damage the cache's copy only: replace it with same-size garbage.
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: blob)))
        bytes[bytes.count / 2] ^= 0xFF
        try FileManager.default.removeItem(atPath: blob)
        try Data(bytes).write(to: URL(fileURLWithPath: blob))

        let rebuilt = try fixture.cache.binaryLayer(binary: binary, name: "app", in: fixture.buildDirectory())
        #expect(!rebuilt.hit)
        try Self.expectIntact(rebuilt.layer)
        #expect(try LayerCache.sha256(ofFile: blob) == first.layer.digest)
    }

    @Test func anUnwritableCacheWarnsOnceAndBuildsAnyway() throws {
        let work = try TemporaryDirectory("ko-cache")
        let notADirectory = try work.write("cache", "a file where the cache should be")
        let messages = MessageList()
        let logger = Logger(minimumLevel: .warning) { level, message in messages.append("\(level) \(message)") }
        let cache = LayerCache(directory: notADirectory, logger: logger)
        let binary = try work.write("app", "#!/bin/sh\n")

        let first = try cache.binaryLayer(binary: binary, name: "app", in: work.path + "/build-1")
        let second = try cache.binaryLayer(binary: binary, name: "app", in: work.path + "/build-2")
        #expect(!first.hit && !second.hit)
        try Self.expectIntact(second.layer)
        #expect(messages.all.count == 1)
        #expect(messages.all.first?.contains("layer cache \(notADirectory) cannot be written") == true)
        #expect(messages.all.first?.contains("KOCACHE") == true)
    }

    @Test func aCacheOnAnotherFileSystemIsCopiedFrom() throws {
        let fixture = try Fixture()
        let shm = try #require(FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : nil,
                               "this test needs /dev/shm, a tmpfs apart from /tmp")
        let elsewhere = shm + "/ko-cache-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: elsewhere) }
        let cache = LayerCache(directory: elsewhere)
        let binary = try fixture.binary("app", seed: 8)
        let first = try cache.binaryLayer(binary: binary, name: "app", in: fixture.buildDirectory())
        let second = try cache.binaryLayer(binary: binary, name: "app", in: fixture.buildDirectory())
        #expect(!first.hit && second.hit)
        #expect(try Self.inode(second.layer.path) != Self.inode(cache.blobPath(first.layer.digest)))
        try Self.expectIntact(second.layer)
    }

    // MARK: - Sharing

    @Test func buildsSharingTheCacheConcurrentlyStayConsistent() throws {
        let fixture = try Fixture()
        let binaries = try (0..<3).map { try fixture.binary("app\($0)", seed: UInt8(10 + $0), size: 600_000) }
        let expected = try binaries.map {
            try BinaryLayer.build(binary: $0, name: "app", in: fixture.work.path + "/expected").digest
        }
        let workers = 6
        let rounds = 4
        let results = ResultList()
        // Each worker is a separate LayerCache value, as separate ko
        // processes would be: they share nothing but the directory.
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            let cache = LayerCache(directory: fixture.cache.directory)
            for round in 0..<rounds {
                for (index, binary) in binaries.enumerated() {
                    let directory = fixture.work.path + "/worker-\(worker)/round-\(round)"
                    results.append(index, Result {
                        try cache.binaryLayer(binary: binary, name: "app", in: directory).layer
                    })
                }
            }
        }

        let all = results.all
        #expect(all.count == workers * rounds * binaries.count)
        for (index, result) in all {
            let layer = try result.get()
            #expect(layer.digest == expected[index])
            try Self.expectIntact(layer)
        }
        let leftovers = try FileManager.default.subpathsOfDirectory(atPath: fixture.cache.directory)
            .filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty)
        let single = LayerCache(directory: fixture.cache.directory, verifiesDigests: true)
        for binary in binaries {
            #expect(try single.binaryLayer(binary: binary, name: "app", in: fixture.buildDirectory()).hit)
        }
    }

    // MARK: - Location

    @Test(arguments: [
        (["KOCACHE": "/k", "XDG_CACHE_HOME": "/x", "HOME": "/h"], "/k"),
        (["KOCACHE": "", "XDG_CACHE_HOME": "/x", "HOME": "/h"], "/x/ko"),
        (["XDG_CACHE_HOME": "relative", "HOME": "/h"], "/h/.cache/ko"),
        (["HOME": "/h"], "/h/.cache/ko"),
        ([:], nil),
    ] as [([String: String], String?)])
    func defaultDirectoryFollowsKocacheThenXDG(environment: [String: String], expected: String?) {
        #expect(LayerCache.defaultDirectory(environment: environment) == expected)
        #expect(LayerCache.fromEnvironment(environment)?.directory == expected)
    }
}

/// Thread-safe collectors for the tests above.
final class MessageList: @unchecked Sendable {
    private let lock = NSLock()
    private var messages: [String] = []
    func append(_ message: String) { lock.withLock { messages.append(message) } }
    var all: [String] { lock.withLock { messages } }
}

final class ResultList: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [(Int, Result<Layer, Error>)] = []
    func append(_ index: Int, _ result: Result<Layer, Error>) { lock.withLock { results.append((index, result)) } }
    var all: [(Int, Result<Layer, Error>)] { lock.withLock { results } }
}
