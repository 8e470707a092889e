import Foundation
import TestSupport
import Testing
@testable import KoImage

/// The gzip writer, read back by the real gzip.
struct GzipWriterTests {
    private func compress(_ chunks: [[UInt8]], level: Int32 = 1) throws -> [UInt8] {
        var output = [UInt8]()
        let writer = try GzipWriter(level: level, outputBufferSize: 4096) { output.append(contentsOf: $0) }
        for chunk in chunks { try chunk.withUnsafeBytes { try writer.write($0) } }
        try writer.finish()
        return output
    }

    @Test(arguments: [Int32(1), 6, 9])
    func gzipDecompressesToTheInput(level: Int32) throws {
        var generator = SystemRandomNumberGenerator()
        let random = (0..<300_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let text = Array(String(repeating: "ko builds go ", count: 50_000).utf8)
        let input = text + random + text
        let compressed = try compress([Array(input[0..<10]), Array(input[10..<700_000]), Array(input[700_000...])],
                                      level: level)
        let directory = try TemporaryDirectory()
        let path = try directory.write("data.gz", bytes: compressed)
        let result = try requireTool("gzip", ["-dc", path])
        #expect(result.stdout == Data(input))
        try requireTool("gzip", ["-t", path])
    }

    @Test func headerHasZeroTimeAndFixedFlagsAndOS() throws {
        let compressed = try compress([Array("hello".utf8)])
        #expect(Array(compressed.prefix(10)) == [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 4, 255])
        let best = try compress([Array("hello".utf8)], level: 9)
        #expect(best[8] == 2)
    }

    @Test func emptyInputIsAValidGzipStream() throws {
        let compressed = try compress([])
        let directory = try TemporaryDirectory()
        let path = try directory.write("empty.gz", bytes: compressed)
        #expect(try requireTool("gzip", ["-dc", path]).stdout.isEmpty)
    }

    @Test func writingAfterFinishThrows() throws {
        let writer = try GzipWriter { _ in }
        try writer.finish()
        #expect(throws: LayerError.self) { try [UInt8(1)].withUnsafeBytes { try writer.write($0) } }
    }
}

/// libdeflate's multi-member writer, read back by gzip and Go.
struct ParallelGzipWriterTests {
    private func compress(_ input: [UInt8], chunk: Int, threads: Int) throws -> [UInt8] {
        var output = [UInt8]()
        let writer = try ParallelGzipWriter(level: 1, blockSize: 64 << 10, threads: threads) {
            output.append(contentsOf: $0)
        }
        var offset = 0
        while offset < input.count {
            let end = min(input.count, offset + chunk)
            try input[offset..<end].withUnsafeBytes { try writer.write($0) }
            offset = end
        }
        try writer.finish()
        return output
    }

    @Test(arguments: [0, 1, 65_536, 65_537, 700_000])
    func decompressesToTheInputWhateverTheThreadCount(size: Int) throws {
        var generator = SystemRandomNumberGenerator()
        let input = (0..<size).map { index in
            index % 3 == 0 ? UInt8.random(in: 0...255, using: &generator) : UInt8(index % 7)
        }
        let one = try compress(input, chunk: 10_000, threads: 1)
        let three = try compress(input, chunk: 99_999, threads: 3)
        #expect(one == three, "output must not depend on threads or write sizes")
        #expect(Array(one.prefix(4)) == [0x1f, 0x8b, 8, 0])
        let directory = try TemporaryDirectory()
        let path = try directory.write("data.gz", bytes: one)
        #expect(try requireTool("gzip", ["-dc", path]).stdout == Data(input))
    }

    @Test func layerBuiltWithItHasTheSameDiffID() throws {
        let work = try TemporaryDirectory()
        let binary = try work.write("app", String(repeating: "parallel ", count: 400_000))
        let plain = try BinaryLayer.build(binary: binary, name: "app", in: work.path + "/a")
        let parallel = try BinaryLayer.build(binary: binary, name: "app", in: work.path + "/b",
                                             compression: .parallelGzip(level: 1, blockSize: 1 << 20, threads: 2))
        #expect(plain.diffID == parallel.diffID)
        #expect(try sha256Hex(ofFile: parallel.path) == parallel.digest.hex)
        let sum = try requireTool("sh", ["-c", "gzip -dc \"$0\" | sha256sum", parallel.path]).text
        #expect(sum.hasPrefix(parallel.diffID.hex))
    }
}
