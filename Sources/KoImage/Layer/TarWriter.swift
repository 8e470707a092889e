/// A streaming tar writer with fixed ownership and caller-chosen modes.
///
/// Every entry gets uid/gid 0, empty user and group names and the given
/// modification time (0 by default), so the same inputs always give the
/// same bytes. Output goes to `sink` as it is produced; regular files are
/// read from disk in chunks and never held whole in memory.
public final class TarWriter {
    /// Receives each run of output bytes, in order.
    public typealias Sink = (UnsafeRawBufferPointer) throws -> Void

    private let sink: Sink
    private var finished = false

    /// Bytes handed to the sink so far.
    public private(set) var bytesWritten: Int64 = 0

    /// Starts an archive whose bytes go to `sink`.
    public init(sink: @escaping Sink) {
        self.sink = sink
    }

    /// Adds a directory entry. `path` is written as given (ko writes both
    /// `/var` and `ko-app` styles), without adding a trailing slash.
    public func addDirectory(_ path: String, mode: Int64 = 0o555, modificationTime: Int64 = 0) throws {
        try writeHeader(TarHeader(name: path, kind: .directory, mode: mode, modificationTime: modificationTime))
    }

    /// Adds a regular file whose content is streamed from `sourcePath`.
    ///
    /// The size is taken when the file is opened; if the file then yields a
    /// different number of bytes the archive would be corrupt, so this throws.
    public func addFile(_ path: String, contentsOf sourcePath: String, mode: Int64 = 0o555,
                        modificationTime: Int64 = 0) throws {
        let input = try InputFile(path: sourcePath)
        try addFile(path, size: try input.size(), mode: mode, modificationTime: modificationTime,
                    source: sourcePath) { sink in _ = try input.forEachChunk(sink) }
    }

    /// Adds a regular file with the given content.
    public func addFile(_ path: String, bytes: [UInt8], mode: Int64 = 0o644, modificationTime: Int64 = 0) throws {
        try writeHeader(TarHeader(name: path, kind: .regular, mode: mode, size: Int64(bytes.count),
                                  modificationTime: modificationTime))
        try bytes.withUnsafeBytes { try emit($0) }
        try pad(Int64(bytes.count))
    }

    /// Adds a regular file of `size` bytes whose content `produce` hands to
    /// its sink, in order. Producing more or fewer bytes than `size` would
    /// corrupt the archive, so it throws.
    public func addFile(_ path: String, size: Int64, mode: Int64 = 0o644, modificationTime: Int64 = 0,
                        contents produce: ((UnsafeRawBufferPointer) throws -> Void) throws -> Void) throws {
        try addFile(path, size: size, mode: mode, modificationTime: modificationTime, source: path, contents: produce)
    }

    /// The header, then exactly `size` bytes from `produce`; `source` names
    /// where they come from when their count is wrong.
    private func addFile(_ path: String, size: Int64, mode: Int64, modificationTime: Int64, source: String,
                         contents produce: ((UnsafeRawBufferPointer) throws -> Void) throws -> Void) throws {
        try writeHeader(TarHeader(name: path, kind: .regular, mode: mode, size: size,
                                  modificationTime: modificationTime))
        var remaining = size
        try produce { chunk in
            guard Int64(chunk.count) <= remaining else {
                throw LayerError.fileChangedWhileReading(path: source, expected: size,
                                                         actual: size - remaining + Int64(chunk.count))
            }
            remaining -= Int64(chunk.count)
            try emit(chunk)
        }
        guard remaining == 0 else {
            throw LayerError.fileChangedWhileReading(path: source, expected: size, actual: size - remaining)
        }
        try pad(size)
    }

    /// Adds a symbolic link to `target`.
    public func addSymlink(_ path: String, target: String, mode: Int64 = 0o777, modificationTime: Int64 = 0) throws {
        try writeHeader(TarHeader(name: path, kind: .symlink, mode: mode, modificationTime: modificationTime,
                                  linkName: target))
    }

    /// Ends the archive with two zero blocks, as Go's writer does (no padding
    /// to a 10 KiB record).
    public func finish() throws {
        try checkOpen()
        try emit(zeros(2 * TarHeader.blockSize))
        finished = true
    }

    // MARK: - Private

    private func writeHeader(_ header: TarHeader) throws {
        try checkOpen()
        let bytes = try header.encode()
        try bytes.withUnsafeBytes { try emit($0) }
    }

    private func pad(_ size: Int64) throws {
        let count = TarHeader.padding(for: size)
        if count > 0 { try emit(zeros(count)) }
    }

    private func zeros(_ count: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: Self.zeroBlocks[0..<count])
    }

    private func emit(_ bytes: UnsafeRawBufferPointer) throws {
        try sink(bytes)
        bytesWritten += Int64(bytes.count)
    }

    private func checkOpen() throws {
        if finished { throw LayerError.writerFinished("tar writer") }
    }

    /// Two blocks of zeros, shared by padding and the end-of-archive marker.
    private static let zeroBlocks: UnsafeRawBufferPointer = {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 2 * TarHeader.blockSize, alignment: 16)
        buffer.initializeMemory(as: UInt8.self, repeating: 0)
        return UnsafeRawBufferPointer(buffer)
    }()
}
