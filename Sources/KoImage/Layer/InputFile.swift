#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file opened for reading in chunks, closed when the value goes away.
///
/// Layers and blobs are streamed through a fixed buffer so that a binary of
/// any size never sits whole in memory.
final class InputFile {
    let path: String
    private let descriptor: Int32

    /// Opens `path` for reading, following symlinks.
    init(path: String) throws {
        self.path = path
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw LayerError.cannotOpen(path: path, reason: LayerError.errnoText())
        }
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    /// The size of the open file.
    func size() throws -> Int64 {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            throw LayerError.readFailed(path: path, reason: LayerError.errnoText())
        }
        return Int64(info.st_size)
    }

    /// Reads up to `buffer.count` bytes; 0 means end of file.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            let count = Glibc.read(descriptor, buffer.baseAddress, buffer.count)
            if count >= 0 { return count }
            if errno == EINTR { continue }
            throw LayerError.readFailed(path: path, reason: LayerError.errnoText())
        }
    }

    /// Calls `body` with each chunk of the file until its end.
    ///
    /// Returns the number of bytes read.
    @discardableResult
    func forEachChunk(size chunkSize: Int = 1 << 20,
                      _ body: (UnsafeRawBufferPointer) throws -> Void) throws -> Int64 {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        defer { buffer.deallocate() }
        var total: Int64 = 0
        while true {
            let count = try read(into: buffer)
            if count == 0 { return total }
            total += Int64(count)
            try body(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
        }
    }

    /// The whole file, for small documents such as manifests and index.json.
    static func readAll(path: String, limit: Int = 64 << 20) throws -> [UInt8] {
        let file = try InputFile(path: path)
        var bytes = [UInt8]()
        try file.forEachChunk(size: 64 << 10) { chunk in
            guard bytes.count + chunk.count <= limit else {
                throw LayerError.readFailed(path: path, reason: "larger than \(limit) bytes")
            }
            bytes.append(contentsOf: chunk)
        }
        return bytes
    }
}
