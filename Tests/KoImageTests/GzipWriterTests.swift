import Foundation
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
